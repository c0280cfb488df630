create table u (id int primary key);
create table t (id int primary key, u_id int constraint t_u_id_fkey references u (id), a int constraint t_a_check check (a > 0));

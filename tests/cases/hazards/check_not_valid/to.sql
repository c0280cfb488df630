create table t (id int primary key, a int constraint t_a_check check (a > 0));

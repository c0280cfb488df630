create table u (id int primary key); create table t (id int primary key, u_id int, a int);
insert into u values (1); insert into t values (1, 1, 5);
alter table t add constraint t_u_id_fkey foreign key (u_id) references u (id) not valid;
alter table t add constraint t_a_check check (a > 0) not valid;

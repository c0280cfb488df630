create table t (id int primary key, a int); create index t_a_idx on t (a);

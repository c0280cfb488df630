create table t (id int, a int); create index t_a on t (a);

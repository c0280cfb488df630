create table t (id int primary key, a int constraint t_a_key unique);

create table t (id int primary key, a int); insert into t values (1, 5);

create table t (id int primary key, a text); insert into t values (1, 'x');

create table t (id int primary key, a varchar(5)); insert into t values (1, 'abc');

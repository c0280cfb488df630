create table t (id int primary key, a varchar(50));

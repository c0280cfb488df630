create type mood as enum ('sad', 'ok'); create table t (id int primary key, m mood); insert into t values (1, 'ok');

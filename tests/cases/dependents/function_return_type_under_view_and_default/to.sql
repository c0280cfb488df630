create function f() returns bigint language sql as 'select 1::bigint';
create view v as select f() as x;
create table t(id int default f());

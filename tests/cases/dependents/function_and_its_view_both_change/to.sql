create function f() returns bigint language sql as 'select 1::bigint';
create table t(id int primary key, n int check (f() > 0));
create view v as select f() as x, 2 as y;
create view w as select x, y from v;

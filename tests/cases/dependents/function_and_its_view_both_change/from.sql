create function f() returns int language sql as 'select 1';
create table t(id int primary key, n int check (f() > 0));
create view v as select f() as x;
create view w as select x from v;

create function f(a int) returns int language sql as 'select a';
create table t(id int default f(1), check (f(id) > 0));
create index on t (id) where f(id) > 2;

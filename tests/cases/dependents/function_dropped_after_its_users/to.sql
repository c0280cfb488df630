create function f(a int) returns int language sql immutable as 'select a';
create table t(id int, g int generated always as (f(id)) stored, check (f(id) > 0), d int default f(3));
create index on t (id) where f(id) > 2;
create index on t (f(id));

create function f(b int) returns int language sql as 'select b';
create table t(id int default f(1), check (f(id) > 0));
create index on t (id) where f(id) > 2;

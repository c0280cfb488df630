create function public.add_int(s integer, v integer) returns integer language sql immutable strict
  as 'select s + v';
create aggregate public.total(integer) (sfunc = public.add_int, stype = integer, initcond = '0');
create table public.t (id int primary key, n int);
insert into public.t values (1, 10), (2, 32);
create view public.v as select public.total(n) as s from public.t;

create function public.add_int(s integer, v integer) returns integer language sql immutable strict
  as 'select s + v';
create aggregate public.total(integer) (sfunc = public.add_int, stype = integer, initcond = '0');
create table public.t (id int primary key, n int);
create view public.v as select public.total(n) as s from public.t;
-- new: an aggregate over a new function, and a view using it
create function public.mul_int(s integer, v integer) returns integer language sql immutable strict
  as 'select s * v';
create aggregate public.product(integer) (sfunc = public.mul_int, stype = integer, initcond = '1');
create view public.w as select public.product(n) as p, public.total(n) as s from public.t;

-- Aggregates of every shape pull writes from pg_aggregate (PostgreSQL has no deparser for them).
create schema agg;
create function agg.add_int(s integer, v integer) returns integer language sql immutable strict
  as 'select s + v';
create function agg.sub_int(s integer, v integer) returns integer language sql immutable strict
  as 'select s - v';
create function agg.count_state(s bigint) returns bigint language sql immutable as 'select s + 1';
create function agg.double_it(s integer) returns integer language sql immutable as 'select s * 2';
create function agg.pick_last(s anyelement, v anyelement) returns anyelement language sql immutable
  as 'select v';
create function agg.ordered_final(s internal, frac float8, v anyelement) returns anyelement
  language internal immutable as 'percentile_disc_final';

-- plain, with an initial condition, a comment, an owner and a grant
create aggregate agg.total(integer) (sfunc = agg.add_int, stype = integer, initcond = '0',
  parallel = safe, combinefunc = agg.add_int);
comment on aggregate agg.total(integer) is 'the sum, from zero';
revoke execute on function agg.total(integer) from public;
-- moving-aggregate mode with a final function and a state size
create aggregate agg.doubled(integer) (sfunc = agg.add_int, stype = integer, finalfunc = agg.double_it,
  sspace = 16, msfunc = agg.add_int, minvfunc = agg.sub_int, mstype = integer, minitcond = '0');
-- no arguments: count(*)-like
create aggregate agg.rows_seen(*) (sfunc = agg.count_state, stype = bigint, initcond = '0');
-- polymorphic; and one with a sort operator (a max-like aggregate over integers)
create aggregate agg.last_of(anyelement) (sfunc = agg.pick_last, stype = anyelement);
create function agg.greater(s integer, v integer) returns integer language sql immutable strict
  as 'select greatest(s, v)';
create aggregate agg.biggest(integer) (sfunc = agg.greater, stype = integer, sortop = >);
-- an ordered-set aggregate (WITHIN GROUP), over the built-in percentile's support functions
create aggregate agg.pick_at(float8 order by anyelement) (sfunc = ordered_set_transition, stype = internal,
  finalfunc = agg.ordered_final, finalfunc_extra);
-- an ordered-set aggregate's comment and grants (GRANT names it by its argument types, no ORDER BY)
comment on aggregate agg.pick_at(float8 order by anyelement) is 'the value at a fraction';
revoke execute on function agg.pick_at(float8, anyelement) from public;
grant execute on function agg.pick_at(float8, anyelement) to frs_agg_reader;

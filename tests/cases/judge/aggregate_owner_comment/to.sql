create function add_int(s int, v int) returns int language sql immutable as 'select s + v';
create aggregate total(int) (sfunc = add_int, stype = int, initcond = '0');
alter aggregate total(int) owner to frs_aggregate_owner;
comment on aggregate total(int) is 'the sum, from zero';
create aggregate total_from_ten(int) (sfunc = add_int, stype = int, initcond = '10', parallel = safe);

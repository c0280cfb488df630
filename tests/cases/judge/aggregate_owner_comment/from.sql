create function add_int(s int, v int) returns int language sql immutable as 'select s + v';
create aggregate total(int) (sfunc = add_int, stype = int, initcond = '0');

create function level(n int) returns bigint language sql immutable as 'select (n / 10)::bigint';
create function rank(n int) returns int language plpgsql immutable as $$begin return level(n) + 1; end$$;
create table players(id int, points int check (level(points) >= 0), check (rank(points) > 0));

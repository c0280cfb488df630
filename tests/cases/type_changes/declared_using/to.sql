-- bigint -> timestamp has no cast: the conversion is declared (plain --desired SQL: an annotation).
-- @using public.events.happened_at: to_timestamp(happened_at) at time zone 'UTC'
-- text -> integer has a cast, but not the one these values need: the declared one is used instead.
-- @using events.code: substring(code from '[0-9]+')::integer
create table events (id int primary key, happened_at timestamp default '2020-01-01', code integer);

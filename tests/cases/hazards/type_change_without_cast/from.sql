create table events (id int primary key, happened_at bigint, note text); insert into events values (1, 1700000000, 'kept');

create table t (id int, a int); create index t_a on t (a) with (fillfactor = 60);
create index t_id on t (id) with (deduplicate_items = off);

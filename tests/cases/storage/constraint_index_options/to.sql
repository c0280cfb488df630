create table public.keyed (id int primary key with (fillfactor = 70), code text unique);
create table public.created (id int, constraint created_pkey primary key (id) with (fillfactor = 80, deduplicate_items = off));

create table public.docs (id int primary key, body text);
insert into public.docs values (1, 'a'), (2, 'b');
create table public.notes (id int primary key, body text) with (fillfactor = 80, toast.autovacuum_enabled = false);
create table public.kept (id int primary key, body text) with (toast.vacuum_truncate = false);

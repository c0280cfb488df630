create table public.docs (id int primary key, body text)
  with (toast.autovacuum_enabled = false, toast.autovacuum_vacuum_scale_factor = 0.01);
create table public.notes (id int primary key, body text) with (fillfactor = 80);
create table public.kept (id int primary key, body text) with (toast.vacuum_truncate = false);
create table public.fresh (id int primary key, body jsonb) with (fillfactor = 90, toast.autovacuum_enabled = false);

create table public.keyed (id int primary key, code text unique with (fillfactor = 60));
insert into public.keyed values (1, 'a'), (2, 'b');

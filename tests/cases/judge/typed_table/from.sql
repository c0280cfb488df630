create type public.address as (street text, city text);
create table public.home (street text, city text);
create table public.office of public.address;
insert into public.home values ('Main St', 'Springfield');

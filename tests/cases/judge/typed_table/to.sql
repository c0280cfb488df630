create type public.address as (street text, city text);
create table public.home of public.address;
create table public.office (street text, city text);
create table public.shop of public.address (primary key (street));

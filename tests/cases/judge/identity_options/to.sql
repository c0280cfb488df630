create table t (id int generated always as identity (start 3 increment 4 minvalue 2 maxvalue 9 cache 5 cycle), v text);
create table u (id bigint generated always as identity (start with 100), v text);

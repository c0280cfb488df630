create table t (id int generated always as identity (start 3 increment 4), v text);

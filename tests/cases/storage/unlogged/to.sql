create unlogged table to_unlogged (id int primary key);
create table to_logged (id int primary key);
create unlogged sequence seq_to_unlogged;
create unlogged table new_unlogged (id int);

create table to_unlogged (id int primary key); insert into to_unlogged values (1);
create unlogged table to_logged (id int primary key); insert into to_logged values (2);
create sequence seq_to_unlogged;

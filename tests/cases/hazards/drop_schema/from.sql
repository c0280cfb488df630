create schema s; create table s.x (id int); insert into s.x values (1);

create table u (id int primary key); create table t (id int primary key, u_id int);
insert into u values (1); insert into t values (1, 1), (2, 99);

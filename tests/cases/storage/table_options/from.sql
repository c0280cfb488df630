create table changed (id int primary key) with (fillfactor = 70); insert into changed values (1);
create table reset_all (id int) with (fillfactor = 70, autovacuum_enabled = false);
create table reordered (id int) with (fillfactor = 70, autovacuum_enabled = false);

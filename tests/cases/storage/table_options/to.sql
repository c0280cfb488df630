create table changed (id int primary key) with (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.005);
create table reset_all (id int);
create table reordered (id int) with (autovacuum_enabled = false, fillfactor = 70);
create table created (id int) with (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.005);

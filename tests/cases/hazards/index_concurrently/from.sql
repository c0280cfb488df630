create table t (id int primary key, a int); insert into t select g, g from generate_series(1, 100) g;

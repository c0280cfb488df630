create table t (id int);
create materialized view changed with (fillfactor = 60, autovacuum_enabled = false) as select id from t;
create materialized view created with (autovacuum_vacuum_scale_factor = 0.005) as select id from t;

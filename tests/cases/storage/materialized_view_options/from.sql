create table t (id int); insert into t values (1);
create materialized view changed as select id from t;

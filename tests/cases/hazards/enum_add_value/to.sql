create type mood as enum ('sad', 'ok', 'happy'); create table t (id int primary key, m mood);

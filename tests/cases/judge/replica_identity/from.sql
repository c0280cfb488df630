create table a (id int primary key, v text);
create table b (id int primary key, v text);
create table c (id int not null, v text);
create unique index c_id on c (id);
create table p (id int not null, at date not null) partition by range (at);
create table p_2026 partition of p for values from ('2026-01-01') to ('2027-01-01');

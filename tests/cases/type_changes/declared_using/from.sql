create table events (id int primary key, happened_at bigint default 0, code text);
insert into events values (1, 1700000000, 'order-12'), (2, 0, 'order-7');

create table flags (id int primary key, active int default 0, amount text default 'none');
insert into flags values (1, 1, '42'), (2, 0, '7');

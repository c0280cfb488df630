create table flags (id int primary key, active boolean default false, amount integer);

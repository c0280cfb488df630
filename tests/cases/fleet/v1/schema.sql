-- The small schema of the fleet tests (v1).
create table accounts (id int primary key, name text not null);
create table orders (id int primary key, account_id int references accounts, total numeric);
create index orders_account_idx on orders (account_id);
create view big_orders as select id, account_id, total from orders where total > 100;

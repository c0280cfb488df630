-- v1 with a required region on every account: adding it fails, inside the transaction, on a
-- database that already holds accounts (the column would be null there).
create table accounts (id int primary key, name text not null, region text not null);
create table orders (id int primary key, account_id int references accounts, total numeric);
create index orders_account_idx on orders (account_id);
create view big_orders as select id, account_id, total from orders where total > 100;

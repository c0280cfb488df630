-- v2: a column on each table, and an index.
create table accounts (id int primary key, name text not null, email text);
create table orders (id int primary key, account_id int references accounts, total numeric, note text);
create index orders_account_idx on orders (account_id);
create index accounts_email_idx on accounts (email);
create view big_orders as select id, account_id, total from orders where total > 100;

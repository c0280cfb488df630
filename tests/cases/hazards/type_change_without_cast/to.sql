create table events (id int primary key, happened_at timestamp with time zone default now() not null, note text);

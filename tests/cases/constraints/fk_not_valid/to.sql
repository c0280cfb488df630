create table u (id int primary key); create table t (id int primary key, u_id int);
-- existing rows break it (99): NOT VALID checks new rows only
alter table t add constraint t_u_id_fkey foreign key (u_id) references u (id) not valid;
create table n (id int primary key, u_id int);
alter table n add constraint n_u_id_fkey foreign key (u_id) references u (id) not valid;

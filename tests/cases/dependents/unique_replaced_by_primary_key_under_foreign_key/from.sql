create table p(id int not null, constraint p_id_key unique (id));
create table c(id int, pid int references p(id));

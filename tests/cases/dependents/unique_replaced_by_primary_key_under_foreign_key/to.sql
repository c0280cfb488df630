create table p(id int not null, constraint p_pkey primary key (id));
create table c(id int, pid int references p(id));

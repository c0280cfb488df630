create collation "my posix" from "POSIX";
create table t (id int primary key, a text collate "my posix", b text, c varchar(10) collate "POSIX");

create collation "my posix" from "POSIX";
create table t (id int primary key, a text, b text collate "my posix", c varchar(10) collate "C");

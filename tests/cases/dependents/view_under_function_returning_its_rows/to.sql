create table users(id int, name text, email text);
create view vw_users as select id, name, email from users;
create function list_users() returns setof vw_users language sql as 'select * from vw_users';

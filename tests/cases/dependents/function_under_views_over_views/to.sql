create schema app;
create function app.score(points int, bonus int default 0) returns int language sql immutable as 'select points + bonus';
create table app.games(id int primary key, points int);
create view app.scored as select id, app.score(points) as score from app.games;
create view app."Top scores" as select id, score from app.scored where score > 10;
create materialized view app.leaders as select id from app."Top scores";
grant select on app.scored to public;
comment on view app.scored is 'scores';

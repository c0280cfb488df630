create extension if not exists pg_trgm;
comment on extension pg_trgm is 'trigram matching, for search';
create table t (id int, v text);
create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger t_touch before update on t for each row execute function touch();
comment on trigger t_touch on t is 'keeps the row fresh';

create extension if not exists pg_trgm;
create table t (id int, v text);
create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger t_touch before update on t for each row execute function touch();

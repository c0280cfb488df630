create function is_code(v text) returns boolean language sql immutable as $$select v ~ '^[A-Z]{3}$'$$;
create domain code as text check (is_code(value));
create table airports(id int, code code);

-- A file that does not parse as a whole: lint parses it statement by statement (tests/lint/test_parsing.py).
CREATE TABLE app.ok (id int);
CREATE TABLE app.broken (id int,, name text);
COMMENT ON TABLE app.ok IS 'ü ☃';
SELEC 1;

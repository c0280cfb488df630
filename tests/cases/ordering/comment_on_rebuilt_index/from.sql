CREATE TABLE test (id integer NOT NULL, code text NOT NULL);
CREATE INDEX old_idx ON test (id);
COMMENT ON INDEX old_idx IS 'Old index';

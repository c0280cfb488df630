CREATE TABLE test (id integer NOT NULL, code text NOT NULL);
CREATE INDEX new_idx ON test (id);
COMMENT ON INDEX new_idx IS 'New index';
CREATE UNIQUE INDEX test_code_key ON test (code);
ALTER TABLE test REPLICA IDENTITY USING INDEX test_code_key;

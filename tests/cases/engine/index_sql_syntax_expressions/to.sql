CREATE TABLE events (
  id serial,
  created_at timestamp,
  name text,
  CONSTRAINT events_after_2000 CHECK ((created_at AT TIME ZONE 'utc') > '2000-01-01')
);
-- SQL syntax, stored as written: the index is built after the transaction and must keep it.
CREATE INDEX events_utc ON events ((created_at AT TIME ZONE 'utc'));
CREATE INDEX events_prefix ON events ((substring(name FROM 1 FOR 3)), (trim(BOTH FROM name)));

CREATE TABLE events (
  id serial,
  created_at timestamp,
  name text
);
-- Written as a call: PostgreSQL keeps it a call, a different index from AT TIME ZONE.
CREATE INDEX events_utc ON events ((timezone('utc', created_at)));

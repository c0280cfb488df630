CREATE TABLE identity.users (id uuid PRIMARY KEY);
CREATE TABLE identity.payments (id uuid PRIMARY KEY);
GRANT SELECT ON identity.payments TO notification_svc;  -- expect: GR102@38
GRANT UPDATE ON identity.users TO notification_svc;  -- expect: GR102@35
GRANT SELECT ON ALL TABLES IN SCHEMA identity TO notification_svc;  -- expect: GR102
GRANT SELECT ON identity.users TO someone_else;  -- expect: GR102

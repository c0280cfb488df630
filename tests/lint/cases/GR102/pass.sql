CREATE TABLE identity.users (id uuid PRIMARY KEY);
GRANT USAGE ON SCHEMA identity TO notification_svc;
GRANT SELECT ON identity.users TO notification_svc;
GRANT SELECT, INSERT ON identity.users TO identity_svc;
GRANT ALL ON identity.users TO owner_role;

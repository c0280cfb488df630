CREATE TABLE identity.users (id uuid PRIMARY KEY);
-- in-schema foreign keys are fine
CREATE TABLE identity.a (
    id uuid PRIMARY KEY,
    user_id uuid REFERENCES identity.users (id),
    CONSTRAINT a_user_fkey FOREIGN KEY (user_id) REFERENCES identity.users (id)
);
-- the declared exception
CREATE TABLE identity.earned_gifts (
    id uuid PRIMARY KEY,
    notification_id uuid REFERENCES notification.notifications (id)
);
-- unqualified, resolved through search_path to the own schema
SET search_path TO identity;
CREATE TABLE identity.b (id uuid PRIMARY KEY, user_id uuid REFERENCES users (id));

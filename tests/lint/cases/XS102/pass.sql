CREATE TABLE identity.earned_gifts (
    id uuid PRIMARY KEY,
    notification_id uuid REFERENCES notification.notifications (id)
);

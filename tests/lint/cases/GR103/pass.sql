CREATE TABLE notification.n (id uuid PRIMARY KEY);

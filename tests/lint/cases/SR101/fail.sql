CREATE TABLE app.t (id uuid PRIMARY KEY, file_id uuid, user_id uuid);

CREATE TABLE app.parent (id uuid PRIMARY KEY);
CREATE TABLE app.child (
    id uuid PRIMARY KEY,
    parent_id uuid,
    other_id uuid,
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app.parent (id)  -- expect: IX101@5
);
ALTER TABLE app.child ADD CONSTRAINT child_other_id_fkey FOREIGN KEY (other_id) REFERENCES app.parent (id);  -- expect: IX101@27
CREATE INDEX child_id_other_id_idx ON app.child (id, other_id);

-- column-level REFERENCES
CREATE TABLE identity.a (
    id uuid PRIMARY KEY,
    file_id uuid REFERENCES file_mgr.files (id)  -- expect: XS101@18
);
-- table-level FOREIGN KEY, named and unnamed
CREATE TABLE identity.b (
    id uuid PRIMARY KEY,
    file_id uuid,
    other_id uuid,
    CONSTRAINT b_file_id_fkey FOREIGN KEY (file_id) REFERENCES file_mgr.files (id),  -- expect: XS101@5
    FOREIGN KEY (other_id) REFERENCES file_mgr.files  -- expect: XS101@5
);
-- ALTER TABLE ... ADD CONSTRAINT, and ADD COLUMN ... REFERENCES
ALTER TABLE identity.b ADD CONSTRAINT b_other_fkey FOREIGN KEY (other_id) REFERENCES file_mgr.files (id);  -- expect: XS101@28
ALTER TABLE identity.b ADD COLUMN third_id uuid REFERENCES file_mgr.files (id);  -- expect: XS101@49
-- quoted identifiers
CREATE TABLE identity.c (
    id uuid PRIMARY KEY,
    q_id uuid CONSTRAINT c_q_fkey REFERENCES "file_mgr"."Quoted" ("id")  -- expect: XS101@15
);
-- an allowed target, but from a column the manifest does not name
CREATE TABLE identity.earned_gifts (
    id uuid PRIMARY KEY,
    notification_id uuid REFERENCES notification.notifications (id),
    other_notification_id uuid REFERENCES notification.notifications (id)  -- expect: XS101@32
);
-- unqualified target, resolved through search_path
SET search_path TO file_mgr, public;
CREATE TABLE identity.d (
    id uuid PRIMARY KEY,
    file_id uuid REFERENCES files (id)  -- expect: XS101@18
);

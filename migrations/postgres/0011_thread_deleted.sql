-- A deleted thread stays in its incident's record (its name, its
-- messages); when it was deleted is noted once.
ALTER TABLE threads ADD COLUMN deleted_at BIGINT;

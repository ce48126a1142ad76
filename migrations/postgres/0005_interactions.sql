-- Interactions being handled: Discord may deliver one interaction to every
-- session (two processes in a rolling deploy, a redelivery after a resume),
-- but it accepts one answer. The first process to write the id answers;
-- the others leave it. Rows older than an hour are of no use and go.
CREATE TABLE interactions_seen (
    id  TEXT   PRIMARY KEY,
    at  BIGINT NOT NULL
);
CREATE INDEX interactions_seen_at ON interactions_seen (at);

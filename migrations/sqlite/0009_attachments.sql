-- Attachments kept as evidence (§4.2, §4.4(4)): Discord's file links are
-- signed and expire after about a day, so each file is downloaded when it
-- is posted and kept here, with the incident, in one backup. Its SHA-256 is
-- also in the event chain, so `hikeshi verify` finds an altered or lost
-- file. A file over the size cap is recorded as not kept (content NULL).
CREATE TABLE attachments (
    attachment_id  BIGINT PRIMARY KEY,
    incident_id    BIGINT NOT NULL REFERENCES incidents (id),
    message_id     BIGINT NOT NULL,
    name           TEXT   NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT,
    content        BLOB,
    reason         TEXT,
    at             BIGINT NOT NULL
);
CREATE INDEX attachments_incident ON attachments (incident_id, message_id);

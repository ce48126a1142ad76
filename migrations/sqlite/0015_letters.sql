-- What a member was to be told by DM and could not be (they closed their
-- DMs) is kept for them: `/report status` shows it, with their reports.
-- `source` (the DM's nonce) keeps a retried delivery from keeping it twice.
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL,
    incident_id BIGINT,
    source      TEXT   NOT NULL UNIQUE,
    text        TEXT   NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX letters_user ON letters (user_id, id);

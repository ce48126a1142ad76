-- hikeshi schema, SQLite. Times are UNIX milliseconds (BIGINT); snowflakes
-- are signed 64-bit. Keep in step with ../postgres/0001_init.sql.

CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT    NOT NULL UNIQUE,
    drill         BIGINT  NOT NULL,
    phase         TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    channel_id    BIGINT,
    commander_id  BIGINT,
    reporter_id   BIGINT  NOT NULL,
    reported_at   BIGINT  NOT NULL,
    deadline_at   BIGINT,
    -- The interaction (or other source) that created it: a retried delivery
    -- of the same interaction finds the incident instead of making another.
    source_key    TEXT    UNIQUE,
    state         TEXT    NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX incidents_channel ON incidents (channel_id);
CREATE INDEX incidents_phase ON incidents (phase);

CREATE TABLE incident_counters (
    drill  BIGINT NOT NULL,
    year   BIGINT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (drill, year)
);

-- The newest link of the event chain. Every write transaction updates it
-- first, which also serialises writers (SQLite takes its write lock at once).
CREATE TABLE chain_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT   NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE events (
    seq          BIGINT PRIMARY KEY,
    incident_id  BIGINT,
    actor        TEXT   NOT NULL,
    at           BIGINT NOT NULL,
    kind         TEXT   NOT NULL,
    payload      TEXT   NOT NULL,
    prev_hash    TEXT   NOT NULL,
    hash         TEXT   NOT NULL
);
CREATE INDEX events_incident ON events (incident_id, seq);

CREATE TABLE log_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    kind         TEXT   NOT NULL,
    body         TEXT   NOT NULL,
    author_id    BIGINT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX log_entries_incident ON log_entries (incident_id, id);

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id    BIGINT,
    kind           TEXT   NOT NULL,
    effect         TEXT   NOT NULL,
    coalesce_key   TEXT,
    status         TEXT   NOT NULL DEFAULT 'pending',
    attempts       BIGINT NOT NULL DEFAULT 0,
    not_before     BIGINT NOT NULL,
    claimed_by     TEXT,
    claimed_until  BIGINT,
    last_error     TEXT,
    created_at     BIGINT NOT NULL,
    done_at        BIGINT
);
CREATE INDEX outbox_due ON outbox (status, not_before, id);
CREATE UNIQUE INDEX outbox_coalesce ON outbox (coalesce_key) WHERE status = 'pending';

CREATE TABLE transcript (
    message_id   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    channel_id   BIGINT NOT NULL,
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    author_id    BIGINT NOT NULL,
    author_name  TEXT   NOT NULL,
    author_bot   BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    content      TEXT   NOT NULL,
    attachments  TEXT   NOT NULL,
    reply_to     BIGINT,
    deleted_at   BIGINT,
    PRIMARY KEY (message_id, version)
);
CREATE INDEX transcript_incident ON transcript (incident_id, at);

-- Small named values the bot keeps (the status-board message id, …).
CREATE TABLE bot_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Categories the bot opened when one filled up (incidents-2, archive-2, …).
CREATE TABLE overflow_categories (
    purpose     TEXT   NOT NULL,
    n           BIGINT NOT NULL,
    channel_id  BIGINT NOT NULL,
    PRIMARY KEY (purpose, n)
);

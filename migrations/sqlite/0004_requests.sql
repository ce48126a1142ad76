-- §6 exception requests and §9 amendment requests, decided by the committee.
CREATE TABLE requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT   NOT NULL,
    requester        BIGINT NOT NULL,
    body             TEXT   NOT NULL,
    status           TEXT   NOT NULL DEFAULT 'pending',
    until            BIGINT,
    decided_by       BIGINT,
    decision_reason  TEXT,
    decided_at       BIGINT,
    expiry_reminded  BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);
CREATE INDEX requests_status ON requests (kind, status);

-- §9: what the yearly review concluded.
ALTER TABLE reminders ADD COLUMN outcome TEXT;

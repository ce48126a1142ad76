-- Threads of incident channels belong to their incident's record (§4.2):
-- a message in a thread is keyed by the thread's id, found here.
CREATE TABLE threads (
    thread_id    BIGINT PRIMARY KEY,
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    name         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX threads_incident ON threads (incident_id);

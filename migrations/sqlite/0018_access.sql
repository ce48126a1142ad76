-- Issue 25: the readers of each incident's channel that its state does not
-- let in (the owner, Administrators, and drift), as last seen. A reader
-- not in this list is news: an `access_changed` event, the committee told.
CREATE TABLE access_seen (
    incident_id BIGINT PRIMARY KEY,
    outsiders   TEXT   NOT NULL,
    seen_at     BIGINT NOT NULL
);

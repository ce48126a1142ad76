-- §4.1(3): alerts from monitoring, by fingerprint, with the incident they
-- opened or joined. A firing alert whose fingerprint belongs to an open
-- incident is appended to it, not made a second incident.
CREATE TABLE alert_links (
    fingerprint    TEXT   NOT NULL,
    incident_id    BIGINT NOT NULL REFERENCES incidents (id),
    first_at       BIGINT NOT NULL,
    last_at        BIGINT NOT NULL,
    notifications  BIGINT NOT NULL,
    resolved_at    BIGINT,
    PRIMARY KEY (fingerprint, incident_id)
);
CREATE INDEX alert_links_incident ON alert_links (incident_id);

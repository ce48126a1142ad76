-- §4.4(3): who has read each prevention-plan announcement.
CREATE TABLE announcement_reads (
    incident_id  BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);

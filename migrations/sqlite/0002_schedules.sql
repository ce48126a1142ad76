-- Reminders (issue: schedules). What is due and what was sent lives here,
-- so a restart neither loses nor repeats a reminder.

-- How far each cron schedule has been looked at.
CREATE TABLE schedule_state (
    name           TEXT   PRIMARY KEY,
    checked_until  BIGINT NOT NULL
);

-- One row per fired drill or annual-review reminder; unique per schedule
-- and time, so two processes cannot fire the same one twice.
CREATE TABLE reminders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT   NOT NULL,
    scheduled_at     BIGINT NOT NULL,
    missed           BIGINT NOT NULL,
    fired_at         BIGINT NOT NULL,
    playbook         TEXT,
    acknowledged_by  BIGINT,
    acknowledged_at  BIGINT,
    escalated_at     BIGINT,
    UNIQUE (kind, scheduled_at)
);

-- Incident reminders already sent (deadline steps, nudges), by key.
CREATE TABLE sent_reminders (
    incident_id  BIGINT NOT NULL,
    key          TEXT   NOT NULL,
    sent_at      BIGINT NOT NULL,
    PRIMARY KEY (incident_id, key)
);

-- §4.1(2): the report of each finished drill.
CREATE TABLE drill_reports (
    incident_id  BIGINT PRIMARY KEY,
    playbook     TEXT   NOT NULL,
    report       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX drill_reports_playbook ON drill_reports (playbook, created_at);

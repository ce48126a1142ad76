-- Issue 26: absences and swaps of the on-duty rotation, as the committee
-- recorded them (/oncall away, /oncall swap). The rotation itself is in
-- the configuration; who is on duty is computed from both.
CREATE TABLE duty_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT   NOT NULL,
    member      BIGINT NOT NULL,
    from_ms     BIGINT NOT NULL,
    to_ms       BIGINT NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX duty_changes_to ON duty_changes (to_ms);

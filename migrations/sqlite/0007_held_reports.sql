-- The flood guard: a report beyond its member's hourly limit is stored but
-- held for the committee's triage (no channel, no ping). Counted per
-- reporter over the last hour, so it is a column beside reporter_id.
ALTER TABLE incidents ADD COLUMN held BIGINT NOT NULL DEFAULT 0;
CREATE INDEX incidents_reporter ON incidents (reporter_id, reported_at);

-- Ten years of records in flat time (§4.4(4) keeps them for years).
-- The scheduler reads only incidents that can need something (`watched`,
-- written from the state at every save; 1 until the first tick has looked
-- at each), and their last activity from a column, not from their events.
ALTER TABLE incidents ADD COLUMN watched BIGINT NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN last_activity_at BIGINT;
UPDATE incidents SET last_activity_at = NULLIF(GREATEST(
    COALESCE((SELECT MAX(at) FROM events e WHERE e.incident_id = incidents.id AND e.actor <> 'system' AND e.kind NOT LIKE 'transcript%'), 0),
    COALESCE((SELECT MAX(at) FROM transcript t WHERE t.incident_id = incidents.id AND t.author_bot = 0), 0)), 0);
CREATE INDEX incidents_watched ON incidents (watched);
-- Figures by report time; events of an incident by kind (phase changes,
-- what verify reads).
CREATE INDEX incidents_reported ON incidents (reported_at);
CREATE INDEX events_incident_kind ON events (incident_id, kind, seq);

-- Reading a whole record page by page (§4.4(4): an incident of 300,000
-- messages): an export reads an incident's messages by key; recovery
-- after a restart reads what is newest in the record for a channel, and
-- what it holds for the span of one page of Discord's history (§4.2).
CREATE INDEX transcript_incident_message ON transcript (incident_id, message_id, version);
CREATE INDEX transcript_channel ON transcript (channel_id, message_id);
-- When the scheduler must look at a watched incident again (a closed one
-- with follow-ups or APPI reports owed: when the next reminder can fall
-- due); NULL: at the next tick (open incidents, and any just saved).
ALTER TABLE incidents ADD COLUMN check_at BIGINT;

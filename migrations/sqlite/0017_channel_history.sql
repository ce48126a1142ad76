-- Recovery after a restart reads a channel's history page by page: what
-- is newest in the record for a channel, and what it holds for the span
-- of one page of Discord's history, by key (§4.2, an incident of 300,000
-- messages).
CREATE INDEX transcript_channel ON transcript (channel_id, message_id);

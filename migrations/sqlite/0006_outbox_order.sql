-- The effects of one incident take effect in the order they were decided:
-- an item is not claimed while an earlier one of the same incident waits
-- (a grant retried after Discord's 500 must not land after a later revoke).
-- This index answers "is an earlier item of this incident undelivered?".
CREATE INDEX outbox_incident_undelivered ON outbox (incident_id, id) WHERE status IN ('pending', 'inflight');

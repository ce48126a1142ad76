-- §4.2: the committee channel hears of each report in messages that gather
-- the reports arriving together. A report owed its line is marked here, so
-- the notice finds them with one indexed query. Reports stored before this
-- version were told one message each.
ALTER TABLE incidents ADD COLUMN notice_owed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX incidents_notice_owed ON incidents (notice_owed, id);

-- Members' display names as hikeshi saw them when they acted (an
-- interaction), so that records read "Hanako (1577…)" and not a bare id
-- (§4.4(4) records people read). A new row only when the name changed.
CREATE TABLE people (
    user_id  BIGINT NOT NULL,
    seen_at  BIGINT NOT NULL,
    name     TEXT   NOT NULL,
    PRIMARY KEY (user_id, seen_at)
);

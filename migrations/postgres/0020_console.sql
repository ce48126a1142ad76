-- Issue 28: the web console. A sign-in begun (the OAuth2 state, the PKCE
-- verifier, where to go after) waits here for Discord's answer, once.
CREATE TABLE console_attempts (
    state      TEXT   PRIMARY KEY,
    verifier   TEXT   NOT NULL,
    next_path  TEXT   NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Each sign-in: the SHA-256 of its cookie (the cookie itself is never
-- stored), the member, the roles that decide what they read (asked of
-- Discord again every five minutes), and how and when it ended.
CREATE TABLE console_sessions (
    id            TEXT   PRIMARY KEY,
    user_id       BIGINT NOT NULL,
    committee     BIGINT NOT NULL,
    it_department BIGINT NOT NULL,
    csrf          TEXT   NOT NULL,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL,
    checked_ms    BIGINT NOT NULL,
    ended_ms      BIGINT,
    ended_why     TEXT
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Discord drops a repeated post by its nonce for a few minutes only. The
-- bot's own posts, as the gateway shows them (with their nonce), are kept
-- here for a day, so a post whose answer was lost is found before it is
-- sent again, however late the retry.
CREATE TABLE posts_seen (
    channel_id BIGINT NOT NULL,
    nonce      TEXT   NOT NULL,
    message_id BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (channel_id, nonce)
);
CREATE INDEX posts_seen_at ON posts_seen (at);

-- The sessions table of swift Sessions (driver `database`), created idempotently.
-- The key is the SHA-256 of the session ID: a leaked table or backup holds no usable ID.
-- gc deletes by expires_at in batches; user_key lists a user's sessions.
CREATE TABLE IF NOT EXISTS "sessions" (
    handle        bytea       PRIMARY KEY,  -- SHA-256 of the session ID (32 bytes)
    payload       bytea       NOT NULL,     -- the encoded session, opaque to the database
    version       bigint      NOT NULL,     -- random per write: conditional writes compare it
    last_activity timestamptz NOT NULL,     -- the last write or touch
    expires_at    timestamptz NOT NULL,     -- the idle deadline: after it the row is dead
    created_at    timestamptz NOT NULL,     -- when the session began
    user_key      text                      -- whose session it is; null for a guest
);

CREATE INDEX IF NOT EXISTS "sessions_expires_at_idx" ON "sessions" (expires_at);

CREATE INDEX IF NOT EXISTS "sessions_user_key_idx" ON "sessions" (user_key) WHERE user_key IS NOT NULL;

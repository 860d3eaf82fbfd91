-- A session is one sign-in that lasts: refreshing it rotates its refresh token (docs/sessions.md).
-- It is live while its row exists, it has been used within the idle timeout and is younger than the absolute
-- lifetime (both settings, applied in SQL by Infrastructure/Security/SessionRules.cs), and its user still has the
-- security stamp it was created under: a password change, a demotion or "sign out everywhere" rotates the stamp,
-- and deleting the user deletes its sessions, so each ends all of them at once.
CREATE TABLE sessions (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    security_stamp uuid        NOT NULL,
    -- Moves on every refresh: the refresh token of the current generation is the only one that still works.
    generation     integer     NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sessions_user_id ON sessions (user_id);

-- Every refresh token a session was given, as SHA-256 of the token (never the token): the current one and the spent
-- ones, so that presenting a spent one is recognised as reuse (and ends the session) rather than as unknown.
CREATE TABLE refresh_tokens (
    token_hash bytea   PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    generation integer NOT NULL
);

CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

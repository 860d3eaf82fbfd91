-- pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    email         text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    password_hash text        NOT NULL,
    full_name     text        NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200),
    role          text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    version       bigint      NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Case-insensitive uniqueness lives in the database, so two concurrent sign-ups cannot both win.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Substring search (q) on either column: ILIKE '%…%' can use trigram indexes.
CREATE INDEX users_email_trgm ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_full_name_trgm ON users USING gin (full_name gin_trgm_ops);

-- Sign-in and sign-up throttling, shared by every instance (src/Infrastructure/Security/SignInThrottle.cs): one row
-- per key ('account:<canonical email>' or 'address:<client address>'), its current fixed window (from the key's
-- first attempt to window_end) and the attempts made in it. A key's row is reused for its next window; the ended
-- windows of keys not tried again are deleted periodically (ExpiredRowsCleanup.cs).
-- UNLOGGED: no WAL for counters that matter for a minute. PostgreSQL empties the table after a crash, and standbys
-- hold no copy (a promoted standby starts empty): at worst, the attempts of one window are forgotten.
CREATE UNLOGGED TABLE throttle_windows (
    key        text        PRIMARY KEY,
    window_end timestamptz NOT NULL,
    hits       integer     NOT NULL
);

CREATE INDEX throttle_windows_window_end ON throttle_windows (window_end);

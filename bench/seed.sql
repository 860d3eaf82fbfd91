-- The bench's users (psql -v n=… -v hash=… -v insert=true|false -f seed.sql).
--   insert=true:  inserts users 1..n straight into the table the service has migrated.
--   insert=false: puts their names back (PATCH runs rename users), so every run searches the same data.
-- Ids are UUIDv7: 48-bit Unix milliseconds, version 7, RFC 4122 variant, random-looking rest; one user every
-- 5 minutes from 2025-01-01, so ids and created_at are time-ordered and older than any sign-up made later.
-- Every row shares one real password hash (made by the service itself), so sign-in works for all of them.
-- Names combine 40 first names with 50 last names: each last name matches 2% of the users in a `q` search.
\set ON_ERROR_STOP on

CREATE FUNCTION pg_temp.seed_name(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (ARRAY['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Dennis', 'Frances', 'Ken',
                  'Radia', 'John', 'Hedy', 'Niklaus', 'Katherine', 'Tony', 'Annie', 'Leslie', 'Karen', 'Bjarne',
                  'Sophie', 'Guido', 'Adele', 'Linus', 'Jean', 'Claude', 'Mary', 'Tim', 'Evelyn', 'Vint',
                  'Carol', 'Robert', 'Shafi', 'Ivan', 'Lynn', 'Butler', 'Joan', 'Fran', 'Anita', 'Peter'])[1 + i % 40]
        || ' ' ||
        (ARRAY['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Ritchie', 'Allen', 'Thompson',
               'Perlman', 'McCarthy', 'Lamarr', 'Wirth', 'Johnson', 'Hoare', 'Easley', 'Lamport', 'Jones', 'Stroustrup',
               'Wilson', 'Rossum', 'Goldberg', 'Torvalds', 'Bartik', 'Shannon', 'Keller', 'Berners', 'Berry', 'Cerf',
               'Shaw', 'Tarjan', 'Goldwasser', 'Sutherland', 'Conway', 'Lampson', 'Clarke', 'Bilas', 'Borg', 'Naur',
               'Backus', 'Kay', 'Engelbart', 'Floyd', 'Codd', 'Gray', 'Stonebraker', 'Milner', 'Rivest', 'Diffie'])[1 + (i / 40) % 50]
$$;

\if :insert
INSERT INTO users (id, email, password_hash, full_name, role, version, created_at, updated_at)
SELECT
    (lpad(to_hex(ms), 12, '0') || '7' || substr(h, 1, 3)
        || substr('89ab', 1 + ('x' || substr(h, 4, 1))::bit(4)::int % 4, 1) || substr(h, 5, 15))::uuid,
    format('user%s@seed.bench', lpad(i::text, 7, '0')),
    :'hash',
    pg_temp.seed_name(i),
    'user',
    1,
    to_timestamp(ms / 1000.0),
    to_timestamp(ms / 1000.0)
FROM generate_series(1, :n) AS i,
     LATERAL (SELECT 1735689600000::bigint + i::bigint * 300000 AS ms, md5(i::text) AS h) AS x;
\else
UPDATE users
SET full_name = pg_temp.seed_name(substr(email, 5, 7)::bigint)
WHERE email LIKE 'user%@seed.bench' AND full_name <> pg_temp.seed_name(substr(email, 5, 7)::bigint);
\endif

VACUUM ANALYZE users;

-- Masque Studio (issue 29): sign-in links and the sessions they open, kept server-side so
-- a cookie holds nothing but a random id. Only SHA-256 hashes of the secrets are stored: a
-- copy of the database cannot be replayed as a login. A link is used once (used_at).
CREATE TABLE studio_logins (
  token_hash  TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,           -- who the link is for: "local" (npm run studio) or a Discord user id
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
) STRICT;

CREATE TABLE studio_sessions (
  id_hash       TEXT PRIMARY KEY,
  owner         TEXT NOT NULL,
  csrf_token    TEXT NOT NULL,         -- sent back in a header on every non-GET request
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX studio_sessions_by_owner ON studio_sessions (owner);

-- Admin moderation: where the bot speaks, who it ignores, how much it answers, and a record of it all.

-- How the bot behaves in a channel or thread: 'off' (ignores it), 'mention' (mentions and
-- replies only) or 'auto' (answers every message). No row: a thread follows its parent
-- channel, a channel is 'mention'.
CREATE TABLE channel_modes (
  channel_id TEXT PRIMARY KEY,   -- a channel or thread id
  guild_id   TEXT NOT NULL,
  mode       TEXT NOT NULL CHECK (mode IN ('off', 'mention', 'auto')),
  set_by     TEXT,
  set_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX channel_modes_by_guild ON channel_modes (guild_id);

-- A server's moderation settings. A NULL column means "the built-in default".
CREATE TABLE guild_moderation (
  guild_id            TEXT PRIMARY KEY,
  rate_messages       INTEGER CHECK (rate_messages > 0),        -- per person, per window
  rate_window_seconds INTEGER CHECK (rate_window_seconds > 0),
  auto_gap_seconds    INTEGER CHECK (auto_gap_seconds >= 0),    -- least time between replies in 'auto' channels
  moderation          TEXT CHECK (moderation IN ('off', 'openai')),
  log_channel_id      TEXT,                                     -- where new audit entries are mirrored
  updated_by          TEXT,
  updated_at          INTEGER NOT NULL
) STRICT;

-- People whose messages the bot ignores (and does not store) in a server.
CREATE TABLE blocked_users (
  guild_id   TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  blocked_by TEXT NOT NULL,
  reason     TEXT,
  blocked_at INTEGER NOT NULL,
  PRIMARY KEY (guild_id, user_id)
) STRICT;

-- Roles whose members count as Masque admins in a server, besides Manage Server and ADMIN_ROLE_IDS.
CREATE TABLE admin_roles (
  guild_id TEXT NOT NULL,
  role_id  TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (guild_id, role_id)
) STRICT;

-- A server's blocked words and phrases ('*' is a wildcard inside a word), checked on
-- messages to the bot and on its replies.
CREATE TABLE blocked_words (
  guild_id TEXT NOT NULL,
  entry    TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (guild_id, entry)
) STRICT;

-- Every admin action and moderation event: who, what, where, when.
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  guild_id   TEXT,            -- null for DMs
  channel_id TEXT,            -- where it happened
  actor_id   TEXT,            -- who did it (the admin, or the person whose message it was)
  action     TEXT NOT NULL,   -- e.g. 'channel.mode', 'user.block', 'input.flagged'
  target_id  TEXT,            -- the user, role or channel acted on
  details    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_by_guild ON audit_log (guild_id, id);

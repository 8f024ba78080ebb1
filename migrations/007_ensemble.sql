-- Ensembles: several personas in one conversation, scenes among them, the bots a server
-- lets Masque answer, and the threads Masque opened.

-- The personas that answer in a conversation beside its lead persona (the one /persona set
-- chose), in the order they were added. A thread without a cast of its own uses its parent
-- channel's. guild_id is NULL for the terminal and DMs.
CREATE TABLE conversation_cast (
  conversation_key TEXT NOT NULL,
  guild_id         TEXT,
  persona_id       TEXT NOT NULL,
  added_by         TEXT,
  added_at         INTEGER NOT NULL,   -- unix ms; the cast's order
  PRIMARY KEY (conversation_key, persona_id)
) STRICT;
CREATE INDEX conversation_cast_by_guild ON conversation_cast (guild_id);

-- Other bots whose messages Masque answers in a server. Every other bot, and every
-- webhook, is ignored, so personas and bots can never set each other off.
CREATE TABLE allowed_bots (
  guild_id   TEXT NOT NULL,
  bot_id     TEXT NOT NULL,
  allowed_by TEXT NOT NULL,
  allowed_at INTEGER NOT NULL,
  PRIMARY KEY (guild_id, bot_id)
) STRICT;

-- Threads Masque opened (with /chat, or for a reply when a server turned threads on): each
-- is a conversation of its own, answered without a mention.
CREATE TABLE masque_threads (
  thread_id  TEXT PRIMARY KEY,
  guild_id   TEXT NOT NULL,
  parent_id  TEXT NOT NULL,
  opened_by  TEXT NOT NULL,           -- who asked for it
  private    INTEGER NOT NULL CHECK (private IN (0, 1)),
  opened_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX masque_threads_by_guild ON masque_threads (guild_id);

-- Whether the cast may hold scenes in the server (NULL: yes), and whether a mention in a
-- channel opens a thread for the reply (NULL: no).
ALTER TABLE guild_moderation ADD COLUMN scenes INTEGER CHECK (scenes IN (0, 1));
ALTER TABLE guild_moderation ADD COLUMN threads_on_mention INTEGER CHECK (threads_on_mention IN (0, 1));

-- Conversations, the turns in them, and which persona is active where.

-- A conversation is a channel, a thread, a DM, or a terminal session.
-- key: 'channel:<discord channel or thread id>' or 'cli:<name>'.
CREATE TABLE conversations (
  key        TEXT PRIMARY KEY,
  guild_id   TEXT,            -- null for DMs and the terminal
  channel_id TEXT,            -- the Discord channel or thread id
  parent_id  TEXT,            -- a thread's parent channel
  created_at INTEGER NOT NULL -- unix ms
) STRICT;

-- Every turn the bot saw or said in a conversation it takes part in.
CREATE TABLE turns (
  id               INTEGER PRIMARY KEY,
  conversation_key TEXT NOT NULL REFERENCES conversations(key) ON DELETE CASCADE,
  role             TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  author_id        TEXT NOT NULL,   -- Discord user id, or 'persona:<id>' for the bot's turns
  author_name      TEXT NOT NULL,   -- display name at the time (the persona's name for the bot's turns)
  persona_id       TEXT,            -- set on the bot's turns only
  message_id       TEXT,            -- the Discord message this turn came from or was sent as
  content          TEXT NOT NULL,
  token_count      INTEGER NOT NULL CHECK (token_count >= 0),
  status           TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'interrupted')),
  created_at       INTEGER NOT NULL,
  CHECK ((role = 'assistant') = (persona_id IS NOT NULL))
) STRICT;

CREATE INDEX turns_by_conversation ON turns (conversation_key, id);
CREATE INDEX turns_by_message ON turns (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX turns_by_author ON turns (author_id);

-- Extra Discord message ids of a bot turn that was split over several messages.
CREATE TABLE turn_messages (
  message_id TEXT PRIMARY KEY,
  turn_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE
) STRICT;
CREATE INDEX turn_messages_by_turn ON turn_messages (turn_id);

-- The persona chosen for a conversation (channel, thread, DM, terminal session).
CREATE TABLE conversation_settings (
  conversation_key TEXT PRIMARY KEY,
  persona_id       TEXT NOT NULL,
  set_by           TEXT,
  set_at           INTEGER NOT NULL
) STRICT;

-- The persona chosen as a server's default.
CREATE TABLE guild_settings (
  guild_id   TEXT PRIMARY KEY,
  persona_id TEXT NOT NULL,
  set_by     TEXT,
  set_at     INTEGER NOT NULL
) STRICT;

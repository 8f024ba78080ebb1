-- Memory that lasts: rolling summaries, full-text recall over turns, the server-wide
-- recall setting, and an index for deleting turns by age.

-- One rolling summary per conversation. It stands in for the conversation's turns with
-- ids first_turn_id..last_turn_id; those turns stay stored (for recall) until deleted,
-- and deleting any of them deletes the summary, which is then rebuilt without them.
CREATE TABLE summaries (
  conversation_key TEXT PRIMARY KEY REFERENCES conversations(key) ON DELETE CASCADE,
  content          TEXT NOT NULL,
  first_turn_id    INTEGER NOT NULL,
  last_turn_id     INTEGER NOT NULL,
  token_count      INTEGER NOT NULL CHECK (token_count >= 0),
  updated_at       INTEGER NOT NULL, -- unix ms
  CHECK (first_turn_id <= last_turn_id)
) STRICT;

-- Full-text index of what was said, for recall. Contentless: the text lives in `turns`
-- and is joined back by rowid (= turns.id). The conversation key and the server id are
-- indexed as one hex token each, so a search is confined to one conversation (or one
-- server) inside the index and never ranks anyone else's rows.
CREATE VIRTUAL TABLE turns_fts USING fts5(
  content,
  conversation,
  guild,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER turns_fts_after_insert AFTER INSERT ON turns BEGIN
  INSERT INTO turns_fts (rowid, content, conversation, guild)
  VALUES (
    new.id,
    new.content,
    hex(new.conversation_key),
    hex(coalesce((SELECT guild_id FROM conversations WHERE key = new.conversation_key), ''))
  );
END;

-- Also fires for turns deleted by a cascade from `conversations`.
CREATE TRIGGER turns_fts_after_delete AFTER DELETE ON turns BEGIN
  DELETE FROM turns_fts WHERE rowid = old.id;
END;

CREATE TRIGGER turns_fts_after_update AFTER UPDATE OF content, conversation_key ON turns BEGIN
  DELETE FROM turns_fts WHERE rowid = old.id;
  INSERT INTO turns_fts (rowid, content, conversation, guild)
  VALUES (
    new.id,
    new.content,
    hex(new.conversation_key),
    hex(coalesce((SELECT guild_id FROM conversations WHERE key = new.conversation_key), ''))
  );
END;

-- Index the turns stored before this migration.
INSERT INTO turns_fts (rowid, content, conversation, guild)
SELECT t.id, t.content, hex(t.conversation_key), hex(coalesce(c.guild_id, ''))
FROM turns t JOIN conversations c ON c.key = t.conversation_key;

-- The retention job deletes the oldest turns first.
CREATE INDEX turns_by_time ON turns (created_at);

-- Whether recall may bring back what was said in other channels of the same server.
CREATE TABLE guild_memory_settings (
  guild_id           TEXT PRIMARY KEY,
  server_wide_recall INTEGER NOT NULL CHECK (server_wide_recall IN (0, 1)),
  set_by             TEXT,
  set_at             INTEGER NOT NULL
) STRICT;

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
-- and is joined back by rowid (= turns.id). Each distinct word of a turn is indexed as
-- a term scoped to its conversation, and again scoped to its server (see
-- src/memory/terms.ts), so a search reads only that conversation's (or server's)
-- postings and its cost does not grow with everyone else's history. Terms are computed
-- by masque_recall_terms(), a function Masque registers on each connection, so turns are
-- inserted and deleted through Masque, not from a bare sqlite3 shell.
-- secure-delete: a deleted turn's terms are removed from the index pages, not just
-- marked deleted, so forgotten words do not linger in the file.
CREATE VIRTUAL TABLE turns_fts USING fts5(
  terms,
  content = '',
  detail = none,
  tokenize = 'ascii'
);
INSERT INTO turns_fts (turns_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER turns_fts_after_insert AFTER INSERT ON turns BEGIN
  INSERT INTO turns_fts (rowid, terms)
  VALUES (new.id, masque_recall_terms(new.conversation_key, (SELECT guild_id FROM conversations WHERE key = new.conversation_key), new.content));
END;

-- A contentless index is told exactly which terms to remove; masque_recall_terms is
-- deterministic and a conversation's server never changes, so they are the ones indexed.
CREATE TRIGGER turns_fts_after_delete AFTER DELETE ON turns BEGIN
  INSERT INTO turns_fts (turns_fts, rowid, terms)
  VALUES ('delete', old.id, masque_recall_terms(old.conversation_key, (SELECT guild_id FROM conversations WHERE key = old.conversation_key), old.content));
END;

CREATE TRIGGER turns_fts_after_update AFTER UPDATE OF content, conversation_key ON turns BEGIN
  INSERT INTO turns_fts (turns_fts, rowid, terms)
  VALUES ('delete', old.id, masque_recall_terms(old.conversation_key, (SELECT guild_id FROM conversations WHERE key = old.conversation_key), old.content));
  INSERT INTO turns_fts (rowid, terms)
  VALUES (new.id, masque_recall_terms(new.conversation_key, (SELECT guild_id FROM conversations WHERE key = new.conversation_key), new.content));
END;

-- A conversation's turns go before the conversation itself (instead of by the cascade,
-- which runs after the row is gone), so the delete trigger above still sees its server.
CREATE TRIGGER conversations_before_delete BEFORE DELETE ON conversations BEGIN
  DELETE FROM turns WHERE conversation_key = old.key;
END;

CREATE TRIGGER conversations_server_is_fixed BEFORE UPDATE OF guild_id ON conversations
WHEN old.guild_id IS NOT new.guild_id BEGIN
  SELECT RAISE(ABORT, 'a conversation cannot move to another server: its recall index terms name the server');
END;

-- Index the turns stored before this migration.
INSERT INTO turns_fts (rowid, terms)
SELECT t.id, masque_recall_terms(t.conversation_key, c.guild_id, t.content)
FROM turns t JOIN conversations c ON c.key = t.conversation_key;

-- The retention job deletes the oldest turns first.
CREATE INDEX turns_by_time ON turns (created_at);

-- A conversation's turns in order, with every column: the recent window (and recalled
-- turns) are read from consecutive index pages instead of one table page per turn,
-- which in a busy database holds turns of many conversations. This keeps building a
-- prompt as fast with a million stored turns as with a thousand, at the cost of
-- storing each turn's text twice. It covers everything turns_by_conversation did.
CREATE INDEX turns_window ON turns (conversation_key, id, role, author_id, author_name, persona_id, message_id, content, token_count, status, created_at);
DROP INDEX turns_by_conversation;

-- Whether recall may bring back what was said in other channels of the same server.
CREATE TABLE guild_memory_settings (
  guild_id           TEXT PRIMARY KEY,
  server_wide_recall INTEGER NOT NULL CHECK (server_wide_recall IN (0, 1)),
  set_by             TEXT,
  set_at             INTEGER NOT NULL
) STRICT;

-- Which shard layout a database file belongs to, so a changed shard count is refused or
-- migrated (npm run reshard), never silently read as an empty memory; and which reply
-- answered which message, so forgetting a person takes the replies to them too.

-- One row, written when the bot first opens the file (a migration cannot know the layout).
CREATE TABLE shard_layout (
  only_row      INTEGER PRIMARY KEY CHECK (only_row = 1),
  shard_count   INTEGER NOT NULL CHECK (shard_count >= 0),   -- 0: the unsharded file
  shard_index   INTEGER NOT NULL CHECK (shard_index >= 0 AND (shard_index < shard_count OR (shard_count = 0 AND shard_index = 0))),
  resharding_to INTEGER CHECK (resharding_to >= 0),          -- set while npm run reshard moves data to that count
  recorded_at   INTEGER NOT NULL                             -- unix ms
) STRICT;

-- Moves of one server's rows (or of the DMs, unit '') copied into this file from another
-- file during a reshard, so a reshard resumed after a crash deletes the source's rows
-- instead of copying them twice. Emptied when the reshard finishes.
CREATE TABLE reshard_journal (
  unit        TEXT NOT NULL,   -- a guild id, or '' for everything outside servers (DMs, terminal)
  source_file TEXT NOT NULL,   -- the file name the rows came from
  PRIMARY KEY (unit, source_file)
) STRICT;

-- On a person's turn: the bot's turn that answered it, so forgetting a person also deletes
-- the replies that may repeat what they said.
ALTER TABLE turns ADD COLUMN answered_by INTEGER;
-- Before this migration a reply was stored in one go with the messages it answered, at the same time.
UPDATE turns SET answered_by = (
  SELECT min(r.id) FROM turns r
   WHERE r.conversation_key = turns.conversation_key AND r.id > turns.id AND r.role = 'assistant' AND r.created_at = turns.created_at)
 WHERE role = 'user';

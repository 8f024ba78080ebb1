-- Which shard layout a database file belongs to, so a changed shard count is refused or
-- migrated (npm run reshard), never silently read as an empty memory.

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

-- A reply being written, kept from its start until it is recorded: one cut short by a
-- crash or SIGKILL is found at the next start, stored as interrupted with the text
-- Discord shows, and marked as cut in Discord.
CREATE TABLE replies_in_flight (
  id               INTEGER PRIMARY KEY,
  conversation_key TEXT NOT NULL REFERENCES conversations(key) ON DELETE CASCADE,
  channel_id       TEXT NOT NULL,                                                 -- where its messages are
  persona_id       TEXT NOT NULL,
  persona_name     TEXT NOT NULL,
  answers          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(answers)),        -- ids of the people's turns it answers
  message_ids      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(message_ids)),    -- the Discord messages showing it so far
  started_at       INTEGER NOT NULL                                               -- unix ms
) STRICT;

-- People notes (issue 27): short facts about a person, drawn by the background note pass from
-- that person's own messages only. A server's notes are its own; a DM's have no server
-- (guild_id NULL). Each note records the conversation it was drawn from, so it is shown
-- elsewhere only where that conversation's words may go (src/chat/recollection.ts).
CREATE TABLE person_notes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- only grows: a prompt shows the notes up to an id (see PersonNoteStore)
  guild_id    TEXT,
  user_id     TEXT NOT NULL,
  content     TEXT NOT NULL,
  source_key  TEXT NOT NULL,                      -- the conversation whose messages it came from
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX person_notes_by_person ON person_notes (user_id, guild_id, id);
CREATE INDEX person_notes_by_source ON person_notes (source_key);
CREATE INDEX person_notes_by_time ON person_notes (created_at);

-- A person's own choice (`/memory me notes:on|off`): off stops notes about them in a server
-- that keeps them; in a DM (guild_id NULL), on is what starts them.
CREATE TABLE person_note_choices (
  guild_id  TEXT,
  user_id   TEXT NOT NULL,
  keep      INTEGER NOT NULL CHECK (keep IN (0, 1)),
  set_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX person_note_choices_by_person ON person_note_choices (user_id, coalesce(guild_id, ''));

-- Whether a server keeps people notes (`/masque notes`); NULL: no, the default.
ALTER TABLE guild_moderation ADD COLUMN person_notes INTEGER CHECK (person_notes IN (0, 1));

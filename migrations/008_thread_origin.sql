-- How each of Masque's threads was opened: with /chat (a person asked for a thread with a
-- persona) or for the reply to a mention (`/masque threads on`). /chat opens a few threads
-- per person per hour and links to an open one with the same persona instead of another
-- (src/commands/chat.ts), so it counts and finds only its own.
ALTER TABLE masque_threads ADD COLUMN opened_with TEXT NOT NULL DEFAULT 'mention' CHECK (opened_with IN ('chat', 'mention'));

-- Threads opened before this migration: /chat set its thread's persona in the opener's name;
-- a mention's thread has none of its own unless someone set one there later.
UPDATE masque_threads SET opened_with = 'chat'
 WHERE EXISTS (SELECT 1 FROM conversation_settings
                WHERE conversation_key = 'channel:' || masque_threads.thread_id AND set_by = masque_threads.opened_by);

CREATE INDEX masque_threads_by_opener ON masque_threads (opened_by, guild_id, opened_at);

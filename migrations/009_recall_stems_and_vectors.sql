-- Recall that finds what people mean: word stems in the full-text index, and the
-- bookkeeping for optional embedding vectors (EMBEDDING_MODEL).

-- The index now holds each English word's stem beside its exact form (see
-- src/memory/terms.ts). A contentless index is told which terms to remove when a turn is
-- deleted, computed again by masque_recall_terms, so every turn indexed before must be
-- indexed again with the terms it computes now: empty the index and rebuild it from
-- `turns` (the 'secure-delete' setting stays).
INSERT INTO turns_fts (turns_fts) VALUES ('delete-all');
INSERT INTO turns_fts (rowid, terms)
SELECT t.id, masque_recall_terms(t.conversation_key, c.guild_id, t.content)
FROM turns t JOIN conversations c ON c.key = t.conversation_key;

-- The embedding model the vectors in turn_vectors came from, and their length. The vector
-- table itself (a sqlite-vec vec0 table, `float[dimensions]`) is made by Masque once the
-- model's dimensions are known, and made anew when the model changes (src/memory/vectors.ts).
CREATE TABLE embedding_index (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  model      TEXT NOT NULL,
  dimensions INTEGER NOT NULL CHECK (dimensions > 0),
  created_at INTEGER NOT NULL -- unix ms
) STRICT;

-- Turns still to be given a vector, by the background indexer. Only kept once vectors
-- are on (an embedding_index row exists); turning them on queues every stored turn.
CREATE TABLE turns_to_embed (
  turn_id INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE
) STRICT;

CREATE TRIGGER turns_to_embed_after_insert AFTER INSERT ON turns
WHEN EXISTS (SELECT 1 FROM embedding_index) BEGIN
  INSERT OR IGNORE INTO turns_to_embed (turn_id) VALUES (new.id);
END;

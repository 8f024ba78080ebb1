import type { Db } from "./db.js";
import { hasVectorTable, VECTOR_TABLE } from "./vector-extension.js";

/** The embedding model the stored vectors came from. */
export interface VectorIndexInfo {
  readonly model: string;
  readonly dimensions: number;
}

/** A turn waiting for its vector. */
export interface TurnToEmbed {
  readonly id: number;
  readonly conversationKey: string;
  readonly guildId: string | null;
  readonly content: string;
}

/** A turn's vector, ready to store. */
export interface TurnVector {
  readonly id: number;
  readonly conversationKey: string;
  readonly guildId: string | null;
  readonly vector: Float32Array;
}

/** A vector search hit, nearest first: the same shape as a word search's, with its cosine distance. */
export interface VectorHit {
  readonly id: number;
  readonly conversationKey: string;
  readonly content: string;
  readonly distance: number;
}

export interface VectorSearch {
  readonly vector: Float32Array;
  readonly limit: number;
}

/**
 * Vectors per sqlite-vec chunk. A chunk is allocated whole for each partition (each
 * conversation), and a search reads its partition's chunks whole: sqlite-vec's default
 * of 1024 gave every conversation, even a DM of one message, 6 MB at 1536 dimensions, and
 * a search over 400 turns about 2 ms; a small chunk costs little and reads what it needs.
 */
const VECTOR_CHUNK_SIZE = 32;
/** The server partition of a turn said outside any server (a DM): DMs never match a server's search. */
const NO_SERVER = "";

const vectorBlob = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/**
 * The embedding vectors of stored turns, in a sqlite-vec `vec0` table partitioned by
 * conversation and by server, so a search reads only its own scope's vectors. Vectors
 * follow their turns out (a trigger deletes a turn's vector with it: forget-me, clear,
 * retention and resharding delete turns, so they delete vectors too), and a turn stored
 * while vectors are on is queued for the background indexer by a trigger of migration 009.
 */
export class VectorStore {
  readonly #db: Db;
  readonly #getIndex;
  readonly #pending;
  readonly #queued;
  readonly #turnExists;
  readonly #dequeue;
  /** Prepared once the vector table exists (and again when it is made anew). */
  #statements: VectorStatements | undefined;

  constructor(db: Db) {
    this.#db = db;
    this.#getIndex = db.prepare<[], VectorIndexInfo>("SELECT model, dimensions FROM embedding_index WHERE id = 1");
    this.#pending = db.prepare<{ limit: number }, TurnToEmbed>(
      `SELECT t.id, t.conversation_key AS conversationKey, c.guild_id AS guildId, t.content
         FROM turns_to_embed q JOIN turns t ON t.id = q.turn_id JOIN conversations c ON c.key = t.conversation_key
        ORDER BY q.turn_id DESC LIMIT @limit`,
    );
    this.#queued = db.prepare<[], number>("SELECT count(*) FROM turns_to_embed").pluck();
    this.#turnExists = db.prepare<{ id: number }, number>("SELECT 1 FROM turns WHERE id = @id").pluck();
    this.#dequeue = db.prepare("DELETE FROM turns_to_embed WHERE turn_id = @id");
    if (hasVectorTable(db) && this.index()) this.#statements = prepareVectorStatements(this.#db);
  }

  /** Whether sqlite-vec is loaded into this connection (see loadVectorExtension). */
  available(): boolean {
    try {
      this.#db.prepare("SELECT vec_version()").get();
      return true;
    } catch {
      return false;
    }
  }

  /** The model the stored vectors came from; undefined until vectors were first turned on. */
  index(): VectorIndexInfo | undefined {
    return this.#getIndex.get();
  }

  /**
   * Makes the vector table for `model`'s vectors of `dimensions` numbers. When the vectors
   * stored came from another model (or another length), they are dropped and every stored
   * turn is queued to be embedded again; returns whether that happened.
   */
  useModel(model: string, dimensions: number): boolean {
    const current = this.index();
    if (current?.model === model && current.dimensions === dimensions && this.#statements) return false;
    this.#db.transaction(() => {
      this.#db.exec(`DROP TABLE IF EXISTS ${VECTOR_TABLE}`);
      this.#db.exec(
        `CREATE VIRTUAL TABLE ${VECTOR_TABLE} USING vec0(
           conversation_key TEXT PARTITION KEY, guild_key TEXT PARTITION KEY, turn_id INTEGER,
           embedding FLOAT[${Math.trunc(dimensions)}] distance_metric=cosine, chunk_size=${VECTOR_CHUNK_SIZE})`,
      );
      this.#db.exec(
        `CREATE TRIGGER IF NOT EXISTS turn_vectors_after_delete AFTER DELETE ON turns BEGIN DELETE FROM ${VECTOR_TABLE} WHERE rowid = old.id; END`,
      );
      this.#db
        .prepare(
          `INSERT INTO embedding_index (id, model, dimensions, created_at) VALUES (1, @model, @dimensions, @now)
           ON CONFLICT (id) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, created_at = excluded.created_at`,
        )
        .run({ model, dimensions, now: Date.now() });
      this.#db.exec("DELETE FROM turns_to_embed; INSERT INTO turns_to_embed (turn_id) SELECT id FROM turns");
    })();
    this.#statements = prepareVectorStatements(this.#db);
    return true;
  }

  /** Turns waiting for a vector, newest first (new turns become findable before an old backlog). */
  pending(limit: number): TurnToEmbed[] {
    return this.#pending.all({ limit });
  }

  /** How many turns wait for a vector. */
  queued(): number {
    return this.#queued.get() ?? 0;
  }

  /** Stores vectors and takes their turns off the queue; a turn deleted meanwhile gets none. */
  store(vectors: readonly TurnVector[]): void {
    const statements = this.#statements;
    if (!statements) return;
    this.#db.transaction(() => {
      for (const v of vectors) {
        this.#dequeue.run({ id: v.id });
        if (this.#turnExists.get({ id: v.id }) === undefined) continue;
        statements.insert.run({
          id: BigInt(v.id),
          key: v.conversationKey,
          guild: v.guildId ?? NO_SERVER,
          embedding: vectorBlob(v.vector),
        });
      }
    })();
  }

  /** Takes turns off the queue without a vector (nothing in them to embed). */
  skip(ids: readonly number[]): void {
    this.#db.transaction(() => {
      for (const id of ids) this.#dequeue.run({ id });
    })();
  }

  /** How many vectors are stored. */
  count(): number {
    return this.#statements?.count.get() ?? 0;
  }

  /** The turns of one conversation older than `beforeId` nearest to `vector`, nearest first. */
  searchConversation(
    search: VectorSearch & { readonly conversationKey: string; readonly beforeId: number },
  ): VectorHit[] {
    if (!this.#fits(search.vector)) return [];
    return this.#statements!.inConversation.all({
      vector: vectorBlob(search.vector),
      limit: search.limit,
      key: search.conversationKey,
      beforeId: search.beforeId,
    });
  }

  /** The turns of a server's other conversations nearest to `vector`, nearest first. */
  searchServer(
    search: VectorSearch & { readonly guildId: string; readonly excludedConversationKey: string },
  ): VectorHit[] {
    if (!this.#fits(search.vector)) return [];
    return this.#statements!.inServer.all({
      vector: vectorBlob(search.vector),
      limit: search.limit,
      guild: search.guildId,
    }).filter((hit) => hit.conversationKey !== search.excludedConversationKey);
  }

  /** A vector of another length than the table's (the model changed under us) finds nothing instead of failing. */
  #fits(vector: Float32Array): boolean {
    return this.#statements !== undefined && vector.length === this.index()?.dimensions;
  }
}

type VectorStatements = ReturnType<typeof prepareVectorStatements>;

function prepareVectorStatements(db: Db) {
  // The scope is a partition key of the search; the join back to `turns` checks it again on each row.
  const nearest = (scope: string) =>
    `SELECT v.rowid AS id, t.conversation_key AS conversationKey, t.content, v.distance
       FROM ${VECTOR_TABLE} v JOIN turns t ON t.id = v.rowid
      WHERE v.embedding MATCH @vector AND v.k = @limit AND ${scope}
      ORDER BY v.distance`;
  return {
    insert: db.prepare(
      `INSERT INTO ${VECTOR_TABLE} (rowid, conversation_key, guild_key, turn_id, embedding) VALUES (@id, @key, @guild, @id, @embedding)`,
    ),
    count: db.prepare<[], number>(`SELECT count(*) FROM ${VECTOR_TABLE}`).pluck(),
    inConversation: db.prepare<{ vector: Buffer; limit: number; key: string; beforeId: number }, VectorHit>(
      nearest("v.conversation_key = @key AND v.turn_id < @beforeId AND t.conversation_key = @key"),
    ),
    inServer: db.prepare<{ vector: Buffer; limit: number; guild: string }, VectorHit>(
      nearest("v.guild_key = @guild AND t.conversation_key IN (SELECT key FROM conversations WHERE guild_id = @guild)"),
    ),
  };
}

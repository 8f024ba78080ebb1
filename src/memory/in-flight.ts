import type { Db } from "./db.js";

/** A reply being written, as memory keeps it until the reply is recorded. */
export interface ReplyInFlight {
  readonly id: number;
  readonly conversationKey: string;
  readonly channelId: string;
  readonly personaId: string;
  readonly personaName: string;
  /** The people's turns it answers. */
  readonly answers: readonly number[];
  /** The Discord messages showing it so far. */
  readonly messageIds: readonly string[];
  readonly startedAt: number;
}

interface Row {
  id: number;
  conversation_key: string;
  channel_id: string;
  persona_id: string;
  persona_name: string;
  answers: string;
  message_ids: string;
  started_at: number;
}

const fromRow = (row: Row): ReplyInFlight => ({
  id: row.id,
  conversationKey: row.conversation_key,
  channelId: row.channel_id,
  personaId: row.persona_id,
  personaName: row.persona_name,
  answers: JSON.parse(row.answers) as number[],
  messageIds: JSON.parse(row.message_ids) as string[],
  startedAt: row.started_at,
});

/**
 * Replies in flight: each is written when the reply starts, learns its Discord messages
 * as they are posted, and is deleted when the reply is recorded. What is left at start-up
 * was cut short by a crash.
 */
export class InFlightStore {
  readonly #begin;
  readonly #shownIn;
  readonly #end;
  readonly #left;

  constructor(db: Db) {
    this.#begin = db.prepare(
      `INSERT INTO replies_in_flight (conversation_key, channel_id, persona_id, persona_name, answers, started_at)
       VALUES (@conversationKey, @channelId, @personaId, @personaName, @answers, @startedAt)`,
    );
    this.#shownIn = db.prepare("UPDATE replies_in_flight SET message_ids = @messageIds WHERE id = @id");
    this.#end = db.prepare("DELETE FROM replies_in_flight WHERE id = @id");
    this.#left = db.prepare<[], Row>("SELECT * FROM replies_in_flight ORDER BY id");
  }

  /** Notes a reply starting in a conversation that is already stored (its people's turns are); returns its id. */
  begin(reply: Omit<ReplyInFlight, "id" | "messageIds" | "startedAt">): number {
    return Number(
      this.#begin.run({ ...reply, answers: JSON.stringify(reply.answers), startedAt: Date.now() }).lastInsertRowid,
    );
  }

  /** The Discord messages now showing the reply, all of them so far. */
  shownIn(id: number, messageIds: readonly string[]): void {
    this.#shownIn.run({ id, messageIds: JSON.stringify(messageIds) });
  }

  /** The reply is recorded (or came to nothing): forget it. */
  end(id: number): void {
    this.#end.run({ id });
  }

  /** Replies still noted: at start-up, the ones a crash cut short. */
  left(): ReplyInFlight[] {
    return this.#left.all().map(fromRow);
  }
}

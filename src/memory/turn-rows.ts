/** How turns are read from SQLite: the columns, a raw row, and the sizes queries' rows. */

export type TurnRole = "user" | "assistant";
export type TurnStatus = "complete" | "interrupted";

/** Where a turn is and what it costs in a prompt. */
export interface TurnSize {
  readonly id: number;
  readonly tokenCount: number;
}

/** Every column of a turn, in the order turnFromRow reads them. */
export const TURN_COLUMNS =
  "id, conversation_key, role, author_id, author_name, persona_id, message_id, content, token_count, status, created_at";

/** TURN_COLUMNS read from a table aliased `alias` (in joins). */
export function turnColumnsOf(alias: string): string {
  return TURN_COLUMNS.split(", ")
    .map((column) => `${alias}.${column}`)
    .join(", ");
}

/** A turn as a raw-mode statement returns TURN_COLUMNS: an array. */
export type TurnRow = [
  number,
  string,
  TurnRole,
  string,
  string,
  string | null,
  string | null,
  string,
  number,
  TurnStatus,
  number,
];

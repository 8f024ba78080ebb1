/** Discord-style snowflake ids: milliseconds since 2015 shifted left 22 bits, plus a counter. */

const DISCORD_EPOCH_MS = 1_420_070_400_000n;
const TIMESTAMP_SHIFT = 22n;

/** Strictly increasing 18–19 digit ids, so the REST layer's route bucketing sees real-looking ids. */
export class SnowflakeGenerator {
  #last = 0n;

  next(): string {
    const fromClock = (BigInt(Date.now()) - DISCORD_EPOCH_MS) << TIMESTAMP_SHIFT;
    this.#last = fromClock > this.#last ? fromClock : this.#last + 1n;
    return this.#last.toString();
  }
}

/** The creation time encoded in a snowflake, as an ISO string. */
export function snowflakeTimestamp(id: string): string {
  const ms = (BigInt(id) >> TIMESTAMP_SHIFT) + DISCORD_EPOCH_MS;
  return new Date(Number(ms)).toISOString();
}

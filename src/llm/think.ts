/**
 * Models served without a reasoning parser (llama.cpp with `--reasoning-format none`, vLLM
 * without `--reasoning-parser`, older Ollama) write their thinking into the reply's text,
 * as `<think>…</think>` before the answer (Qwen3, DeepSeek-R1 and their distills).
 */
export const THINK_OPEN = "<think>";
export const THINK_CLOSE = "</think>";

/** A piece of a model's output: what it answers, or what it thinks on the way. */
export interface SplitPiece {
  readonly kind: "answer" | "reasoning";
  readonly text: string;
}

/** The length of the longest end of `text` that is the start of `tag` (a tag cut by a chunk border). */
function partialTagAtEnd(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Splits streamed reply text into answer and reasoning, chunk by chunk. A think block
 * opens only before the answer has begun (these models think first, then answer), so an
 * answer that talks about a `<think>` tag keeps it. A tag cut across chunks is held back
 * until the next chunk says what it is; a block never closed is reasoning to the end.
 */
export class ThinkSplitter {
  #held = "";
  #inThink = false;
  #answerStarted = false;
  /** After a think block the answer's leading blank lines are dropped. */
  #trimAnswerStart = false;

  /** The pieces `chunk` completes, in order. */
  push(chunk: string): SplitPiece[] {
    const pieces: SplitPiece[] = [];
    let text = this.#held + chunk;
    this.#held = "";
    while (text.length > 0) {
      if (this.#inThink) {
        const close = text.indexOf(THINK_CLOSE);
        if (close === -1) {
          const keep = partialTagAtEnd(text, THINK_CLOSE);
          this.#emit(pieces, "reasoning", text.slice(0, text.length - keep));
          this.#held = text.slice(text.length - keep);
          return pieces;
        }
        this.#emit(pieces, "reasoning", text.slice(0, close));
        text = text.slice(close + THINK_CLOSE.length);
        this.#inThink = false;
        this.#trimAnswerStart = true;
        continue;
      }
      if (this.#answerStarted) {
        this.#emit(pieces, "answer", text);
        return pieces;
      }
      // Before the answer: whitespace, then maybe a think block.
      const lead = text.length - text.trimStart().length;
      const rest = text.slice(lead);
      if (rest.startsWith(THINK_OPEN)) {
        text = rest.slice(THINK_OPEN.length);
        this.#inThink = true;
        continue;
      }
      if (rest.length === 0 || THINK_OPEN.startsWith(rest)) {
        this.#held = text; // only whitespace, or the start of a tag: wait for more
        return pieces;
      }
      this.#answerStarted = true;
      text = this.#trimAnswerStart ? rest : text;
    }
    return pieces;
  }

  /** What is still held at the end of the stream (an unfinished tag is plain text, or reasoning inside a block). */
  end(): SplitPiece[] {
    const pieces: SplitPiece[] = [];
    const held = this.#held;
    this.#held = "";
    if (this.#inThink) this.#emit(pieces, "reasoning", held);
    else if (this.#answerStarted || held.trim().length > 0)
      this.#emit(pieces, "answer", this.#answerStarted ? held : held.trimStart());
    return pieces;
  }

  #emit(pieces: SplitPiece[], kind: SplitPiece["kind"], text: string): void {
    if (text.length > 0) pieces.push({ kind, text });
  }
}

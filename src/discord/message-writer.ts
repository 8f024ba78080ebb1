import type { ReplyEnding, ReplySink, Shown } from "../chat/engine.js";
import { PromptTooLongError } from "../chat/prompt.js";
import { ModelError } from "../llm/errors.js";
import { ContentFlaggedError, ModerationUnavailableError } from "../moderation/content.js";
import type { ShowReasoning } from "../personas/model-options.js";
import { NOTICES, REPLY_NOTES } from "../texts.js";
import { EditBudget } from "./edit-budget.js";
import { postReasoning } from "./reasoning.js";
import { DISCORD_MESSAGE_LIMIT, splitMessage } from "./split.js";

/** Discord shows "typing…" for about 10 s; refresh a little before it runs out. */
export const TYPING_REFRESH_MS = 8000;
/**
 * "Typing…" appears only if no message is up this long after the reply started. A quick
 * reply needs no indicator, and a typing call queued behind a busy rate limit would
 * otherwise reach Discord after the reply it announces.
 */
export const TYPING_DELAY_MS = 300;

/** Where a streamed reply's messages go: a channel, a webhook, a test double. */
export interface MessagePoster {
  sendTyping(): Promise<unknown>;
  /** Posts a message; the first one of a reply answers the user's message. */
  post(content: string, isFirst: boolean): Promise<{ id: string }>;
  edit(messageId: string, content: string): Promise<unknown>;
  /** Posts a message with a text file attached. */
  postFile(content: string, file: { readonly name: string; readonly text: string }): Promise<{ id: string }>;
}

/** Room kept in a reply's last message for the note saying why it was cut. */
export const CUT_NOTE_ROOM = 100;

export interface MessageWriterOptions {
  readonly budget?: EditBudget;
  /** The note shown under (or instead of) a reply that failed or was held back. */
  readonly failureNote?: (error: unknown) => string;
  /** Told when Discord refuses a post or an edit (the reply goes on). */
  readonly onSinkError?: (error: unknown) => void;
  /** The most messages one reply may fill (MAX_REPLY_MESSAGES); the rest is cut with a note. */
  readonly maxMessages?: number;
  /** Whether the model's thinking is shown after the reply (a persona's show_reasoning). */
  readonly showReasoning?: ShowReasoning;
  /** Shown before the reply on Discord, never part of its text (a cast member's name, when no webhook shows it). */
  readonly heading?: string;
}

interface SentPiece {
  readonly id: string;
  content: string;
}

/**
 * Shows a model reply on Discord as it streams: typing until text is ready, then one
 * message that is edited at most once per EDIT_INTERVAL_MS, continued in new messages past
 * Discord's length limit, and a final edit with the full text (and a plain note when it
 * failed). A reply that is complete before the first edit is due costs one message.
 */
export class MessageWriter implements ReplySink {
  readonly #poster: MessagePoster;
  readonly #budget: EditBudget;
  readonly #failureNote: (error: unknown) => string;
  readonly #onSinkError: (error: unknown) => void;
  readonly #maxMessages: number;
  readonly #showReasoning: ShowReasoning;
  readonly #heading: string;
  #text = "";
  #shown = "";
  readonly #sent: SentPiece[] = [];
  #lastFlushAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #typingTimer: NodeJS.Timeout | undefined;
  #typingDelay: NodeJS.Timeout | undefined;
  #leaveBudget: (() => void) | undefined;
  #ended = false;
  /** Set once `end` has shown the final state: shownIn's iteration stops there. */
  #finished = false;
  /** Wakes shownIn's iteration when a message is posted or the reply has finished. */
  #wake: Array<() => void> = [];

  constructor(poster: MessagePoster, options: MessageWriterOptions = {}) {
    this.#poster = poster;
    this.#budget = options.budget ?? new EditBudget();
    this.#failureNote = options.failureNote ?? failureNote;
    this.#onSinkError = options.onSinkError ?? (() => {});
    this.#maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
    this.#showReasoning = options.showReasoning ?? "off";
    this.#heading = options.heading ?? "";
  }

  /** Whether the model's thinking is posted after the reply (it is then reviewed with it). */
  get showsReasoning(): boolean {
    return this.#showReasoning !== "off";
  }

  /** The text received so far. */
  get text(): string {
    return this.#text;
  }

  /**
   * Starts sharing the edit budget, and shows "typing…" from TYPING_DELAY_MS on until the
   * first message is up (not awaited, so the model call is not delayed).
   */
  start(): void {
    this.#leaveBudget = this.#budget.join();
    const type = () => void this.#poster.sendTyping().catch(this.#onSinkError);
    this.#typingDelay = setTimeout(() => {
      type();
      this.#typingTimer = setInterval(type, TYPING_REFRESH_MS);
    }, TYPING_DELAY_MS);
  }

  write(piece: string): void {
    this.#text += piece;
    this.#schedule();
  }

  /** How much of `text` fits in maxMessages messages with room left for a cut note. */
  room(text: string): number {
    const withNote = (length: number) =>
      this.#heading + this.#withNote(text.slice(0, length), "x".repeat(CUT_NOTE_ROOM));
    const fits = (length: number) => splitMessage(withNote(length)).length <= this.#maxMessages;
    if (fits(text.length)) return text.length;
    // The number of messages grows with the text, so the longest prefix that fits is found by halving.
    let low = 0;
    let high = text.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fits(middle)) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The ids of the messages showing the reply so far, each time one more is posted, until the reply has ended. */
  async *shownIn(): AsyncIterable<readonly string[]> {
    let told = 0;
    for (;;) {
      if (this.#sent.length > told) {
        told = this.#sent.length;
        yield this.#sent.map((p) => p.id);
      } else if (this.#finished) {
        return;
      } else {
        await new Promise<void>((resolve) => this.#wake.push(resolve));
      }
    }
  }

  /**
   * Shows the final state at once, without waiting for the next due time: the text, with
   * `failureNote` under it when it failed (the note alone when nothing arrived). Called once.
   */
  async end(ending: ReplyEnding): Promise<Shown> {
    try {
      return await this.#end(ending);
    } finally {
      this.#finished = true;
      this.#wakeUp();
    }
  }

  /** Memory could not keep the reply: its note goes under what `end` showed. */
  async notKept(error: Error): Promise<void> {
    const finalText = this.#withNote(this.#text, this.#failureNote(error));
    this.#flushing = this.#flushing.then(() => this.#flush(finalText));
    await this.#flushing;
  }

  #wakeUp(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }

  async #end(ending: ReplyEnding): Promise<Shown> {
    this.#ended = true;
    this.#stopTyping();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#leaveBudget?.();
    this.#text = ending.text;
    const finalText = this.#finalText(ending);
    this.#flushing = this.#flushing.then(() => this.#flush(finalText));
    await this.#flushing;
    const messageIds = this.#sent.map((p) => p.id);
    // Thinking follows only a reply that stands: never a failure note or the withheld notice.
    if (
      messageIds.length > 0 &&
      ending.error === undefined &&
      this.#showReasoning !== "off" &&
      ending.reasoning?.trim()
    ) {
      await postReasoning(this.#poster, ending.reasoning, this.#showReasoning).catch(this.#onSinkError);
    }
    if (this.#shown === finalText || messageIds.length === 0) return { shown: messageIds.length > 0, messageIds };
    // Discord did not take the final text: memory keeps what it shows, and it says it was cut when it can.
    const shownText = this.#sent
      .map((p) => p.content)
      .join("")
      .slice(this.#heading.length);
    if (shownText.startsWith(ending.text)) return { shown: true, messageIds }; // only a note is missing
    await this.#markCut();
    return { shown: true, messageIds, partial: shownText };
  }

  /** One last try at putting the cut note under the last message that made it. */
  async #markCut(): Promise<void> {
    const last = this.#sent.at(-1);
    if (!last) return;
    const marked = this.#withNote(last.content, REPLY_NOTES.cutByDiscord);
    if (marked.length > DISCORD_MESSAGE_LIMIT) return;
    try {
      await this.#poster.edit(last.id, marked);
      last.content = marked;
    } catch (error) {
      this.#onSinkError(error);
    }
  }

  /** The reply as it finally stands: with a note when it failed or was cut; nothing new when the people here were told already. */
  #finalText(ending: ReplyEnding): string {
    if (ending.error !== undefined)
      return ending.quiet ? ending.text : this.#withNote(ending.text, this.#failureNote(ending.error));
    return ending.cut ? this.#withNote(ending.text, REPLY_NOTES.cut[ending.cut]) : ending.text;
  }

  #withNote(text: string, note: string): string {
    return text.length > 0 ? `${text}\n\n*(${note})*` : note;
  }

  #stopTyping(): void {
    clearTimeout(this.#typingDelay);
    clearInterval(this.#typingTimer);
    this.#typingTimer = undefined;
  }

  /** Plans the next flush: the first one interval after text starts, then one per interval. */
  #schedule(): void {
    if (this.#timer || this.#ended) return;
    const now = Date.now();
    const interval = this.#budget.intervalMs;
    const dueAt = this.#lastFlushAt === 0 ? now + interval : Math.max(now, this.#lastFlushAt + interval);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.#flush(this.#text));
    }, dueAt - now);
  }

  /** Brings Discord up to `text`: edits pieces that changed, posts new ones. */
  async #flush(text: string): Promise<void> {
    if (text === this.#shown || text.length === 0) return;
    this.#lastFlushAt = Date.now();
    this.#stopTyping();
    const pieces = splitMessage(this.#heading + text);
    try {
      for (const [index, content] of pieces.entries()) {
        const sent = this.#sent[index];
        if (!sent) {
          const message = await this.#poster.post(content, index === 0);
          this.#sent.push({ id: message.id, content });
          this.#wakeUp();
        } else if (sent.content !== content) {
          await this.#poster.edit(sent.id, content);
          sent.content = content;
        }
      }
      this.#shown = text;
    } catch (error) {
      this.#onSinkError(error);
    } finally {
      this.#lastFlushAt = Date.now();
      // Text that arrived during this flush is shown at the next due time.
      if (this.#text !== this.#shown && this.#text.length > 0) this.#schedule();
    }
  }
}

/** A short plain-language note for a reply that failed or was held back; `stopping`: the bot is shutting down. */
export function failureNote(error: unknown, stopping = false): string {
  if (error instanceof PromptTooLongError) return REPLY_NOTES.tooLong(error.tokens, error.limit);
  if (error instanceof ContentFlaggedError) return NOTICES.outputWithheld;
  if (stopping) return REPLY_NOTES.restarting;
  if (error instanceof ModerationUnavailableError) return NOTICES.checksUnavailable;
  if (error instanceof ModelError) return error.userMessage;
  return REPLY_NOTES.unexpected;
}

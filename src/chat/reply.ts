import type { TroubleReport } from "../llm/trouble.js";
import type { ConversationRef } from "../memory/turns.js";
import type { Persona } from "../personas/persona.js";
import type { EarlierReply } from "./ensemble.js";
import type { CutReason, ReplyReview, ReplyStatus } from "./generate.js";
import type { ImageRef, QuotedMessage } from "./prompt.js";
import type { RecallAudience } from "./recollection.js";

// What a host hands the engine for one reply, and what it gets back.

/** A message from a person, to be answered: the one turn type for an incoming message, as the engine reads it and memory keeps it. */
export interface IncomingTurn {
  readonly authorId: string;
  readonly authorName: string;
  /** The text, with attachments described or inlined; this is what memory keeps. */
  readonly content: string;
  readonly messageId?: string | null;
  /** Set when memory keeps the message already (since it was accepted); the reply then links to it. */
  readonly turnId?: number;
  /** Images for a vision model, sent with this reply only (memory keeps the text). */
  readonly images?: readonly ImageRef[];
}

/** Names the macros use for the place the conversation happens in. */
export interface Place {
  readonly server: string;
  readonly channel: string;
}

export interface ReplyRequest {
  readonly conversation: ConversationRef;
  readonly persona: Persona;
  /**
   * One message, or several that arrived together and are answered in one turn; none for a
   * line the persona says unprompted (a scene's), which then needs a `direction`.
   */
  readonly turns: readonly IncomingTurn[];
  /** What this line is for (a scene's topic, whose turn it is): shown as a labelled direction, never as anyone's words. */
  readonly direction?: string;
  readonly place: Place;
  /** An earlier message the newest one replies to. */
  readonly quoted?: QuotedMessage;
  /** Aborting stops the model call; what was said so far is kept as an interrupted turn. */
  readonly signal?: AbortSignal;
  /**
   * Checks the whole reply (and the thinking its sink shows) before any of it is shown or
   * stored; throwing withholds it (the outcome carries that error and only the user turns are stored).
   */
  readonly review?: ReplyReview;
  /** The channel the reply is posted in (Discord's id): the reply is then noted as in flight until it is recorded (see ReplyJournal). */
  readonly showsIn?: string;
  /**
   * What the cast's other personas answered to the same messages just before, in order
   * (the messages are stored by then): shown after them as those personas' lines, and this
   * reply is stored as following the last of them.
   */
  readonly after?: readonly EarlierReply[];
  /** Who may see what recall brings from the server's other conversations (see RecallAudience); none: nothing crosses. */
  readonly audience?: RecallAudience;
}

/** How a reply ended and what it left in memory. */
export interface ReplyOutcome {
  readonly status: ReplyStatus;
  /** What was said (and shown); empty when nothing was. */
  readonly text: string;
  readonly userTurnIds: readonly number[];
  /** Undefined when no text was stored as said. */
  readonly assistantTurnId?: number;
  /** The Discord messages that carry the reply; none outside Discord. */
  readonly messageIds: readonly string[];
  /** Why it did not complete: a ModelError, the review's verdict, PromptTooLongError, memory's error when it could not keep the reply. */
  readonly error?: Error;
  /** Set when the reply was cut short (stored as interrupted). */
  readonly cut?: CutReason;
  /** Set when the error is an operator's to fix (bad key, unknown model): whom to tell, once. */
  readonly trouble?: TroubleReport;
}

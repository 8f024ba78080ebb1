import { PromptTooLongError } from "../chat/prompt.js";
import type { Logger } from "../log.js";
import { ContentFlaggedError, ModerationUnavailableError } from "../moderation/content.js";
import type { Persona } from "../personas/persona.js";
import { NOTICES, REPLY_NOTES } from "../texts.js";
import type { BotContext } from "./context.js";
import { failureNoteFor, type MessagePoster, MessageWriter } from "./message-writer.js";

/** A short plain-language note for a reply that failed or was held back. */
function failureNote(error: unknown, ctx: BotContext): string {
  if (error instanceof PromptTooLongError) {
    return REPLY_NOTES.tooLong(error.tokens, error.limit);
  }
  if (error instanceof ContentFlaggedError) return NOTICES.outputWithheld;
  if (ctx.stopping) return REPLY_NOTES.restarting;
  if (error instanceof ModerationUnavailableError) return NOTICES.checksUnavailable;
  return failureNoteFor(error);
}

/**
 * A persona's reply (or scene line) streamed into `sink`: the shared edit budget and message
 * cap, the note a failure leaves, and Discord errors counted and logged.
 */
export function replyStream(ctx: BotContext, sink: MessagePoster, persona: Persona, options: { log: Logger; heading?: string }): MessageWriter {
  const { log, heading } = options;
  return new MessageWriter(sink, {
    budget: ctx.editBudget,
    failureNote: (error) => failureNote(error, ctx),
    maxMessages: ctx.config.maxReplyMessages,
    showReasoning: persona.showReasoning,
    heading,
    onSinkError: (error) => {
      ctx.core.metrics.error("discord");
      log.warn({ err: error }, "could not update the reply on Discord");
    },
  });
}

import type { Message } from "discord.js";
import { recordCut } from "../chat/journal.js";
import type { ReplyInFlight } from "../memory/in-flight.js";
import type { BotContext } from "./context.js";
import { SAFE_MENTIONS } from "./mentions.js";
import { CAST_TEXTS, REPLY_NOTES } from "../texts.js";

/** The messages of a cut reply that are still on Discord, in order; none when the channel is gone. */
async function shownMessages(ctx: BotContext, reply: ReplyInFlight): Promise<Message[]> {
  const channel = await ctx.client.channels.fetch(reply.channelId).catch(() => null);
  if (!channel?.isTextBased()) return [];
  const found = await Promise.all(reply.messageIds.map((id) => channel.messages.fetch(id).catch(() => undefined)));
  return found.filter((message) => message !== undefined);
}

/** What Discord shows of a cut reply: its messages' text, without the cast member's name shown before it. */
function shownText(reply: ReplyInFlight, shown: readonly Message[]): string {
  // A long reply is split over messages at line or word boundaries; a cast member's name before it is not its words.
  const heading = CAST_TEXTS.replyHeading(reply.personaName);
  const joined = shown.map((message) => message.content).join("\n");
  return joined.startsWith(heading) ? joined.slice(heading.length) : joined;
}

/**
 * At start-up: every reply a crash or SIGKILL cut short (still noted as in flight) is
 * stored as interrupted with the text Discord shows of it, after the messages it answered
 * (kept since they were accepted), and its last message gets the cut note when the bot may
 * still edit it (a persona webhook's message it may not).
 */
export async function recoverCutReplies(ctx: BotContext): Promise<number> {
  const { memory, log } = ctx.core;
  const left = memory.inFlight.left();
  for (const reply of left) {
    const shown = await shownMessages(ctx, reply);
    recordCut(memory, reply, { text: shownText(reply, shown), messageIds: shown.map((message) => message.id) });
    const last = shown.at(-1);
    if (last?.editable) {
      await last
        .edit({ content: `${last.content}\n\n*(${REPLY_NOTES.cutByRestart})*`, allowedMentions: SAFE_MENTIONS })
        .catch((error: unknown) => {
          log.warn({ err: error, channel: reply.channelId, message: last.id }, "could not mark a cut reply on Discord");
        });
    }
    log.info(
      { conversation: reply.conversationKey, messages: shown.length },
      "stored a reply cut short by the last stop as interrupted",
    );
  }
  return left.length;
}

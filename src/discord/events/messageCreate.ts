import type { Message } from "discord.js";
import { PromptTooLongError } from "../../chat/prompt.js";
import { conversationOf, placeOf } from "../conversation.js";
import type { BotContext } from "../context.js";
import { incomingTurnOf, quotedMessageOf } from "../incoming.js";
import { channelSink } from "../sinks.js";
import { failureNoteFor, StreamingReply } from "../streaming.js";
import { webhookSink } from "../webhooks.js";
import { triggerOf } from "../triggers.js";

/** Answers a message meant for the bot, streaming the active persona's reply. */
export async function onMessageCreate(message: Message, ctx: BotContext): Promise<void> {
  const botUserId = ctx.client.user?.id;
  if (!botUserId || ctx.stopping) return;
  const trigger = triggerOf(message, botUserId, { allowDms: ctx.config.allowDms, turns: ctx.core.memory.turns });
  if (!trigger) return;

  const { core } = ctx;
  const log = core.log.child({ channel: message.channelId, guild: message.guildId ?? "dm", message: message.id });
  const conversation = conversationOf(message.channel);
  const quoted = await quotedMessageOf(message, ctx);
  // Replying to a persona's message continues with that persona (webhook messages cannot be native replies).
  const persona = (quoted?.personaId && core.personas().get(quoted.personaId)) || core.engine.resolvePersona(conversation);
  const vision = persona.vision ?? (persona.model === undefined && ctx.config.modelVision);
  const sink = ctx.webhooks ? webhookSink(message, persona, ctx.webhooks, channelSink(message), log) : channelSink(message);
  const reply = new StreamingReply(sink, {
    budget: ctx.editBudget,
    onSinkError: (error) => {
      core.metrics.error("discord");
      log.warn({ err: error }, "could not update the reply on Discord");
    },
  });
  reply.startTyping();
  const turn = await incomingTurnOf(message, botUserId, { vision });

  await ctx.serialize(conversation.key, () =>
    ctx.track(async (signal) => {
      const started = performance.now();
      const stream = core.engine.reply({ conversation, persona, turns: [turn], place: placeOf(message.channel), quoted, signal });
      const result = await reply.run(stream, (error) =>
        error instanceof PromptTooLongError
          ? `Your message is too long for me to read in one go (about ${error.tokens} tokens; ${error.limit} fit). Please shorten it or split it up.`
          : ctx.stopping
            ? "I was interrupted because I'm restarting. Ask me again in a moment."
            : failureNoteFor(error),
      );
      const turnId = stream.outcome?.assistantTurnId;
      if (turnId !== undefined && result.messageIds.length > 0) core.memory.turns.linkMessages(turnId, result.messageIds);
      if (result.error) {
        const err = result.error as Error;
        log.warn({ err: { name: err.name, message: err.message }, persona: persona.id, trigger }, "reply failed");
      } else {
        log.debug({ persona: persona.id, trigger, ms: Math.round(performance.now() - started), chars: result.text.length }, "replied");
      }
    }),
  );
}

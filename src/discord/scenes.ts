import { setTimeout as sleep } from "node:timers/promises";
import type { Message, SendableChannels } from "discord.js";
import type { IncomingTurn } from "../chat/engine.js";
import { Scene, type SceneResult, type SceneSpec, type SceneStage } from "../chat/scene.js";
import type { Persona } from "../personas/persona.js";
import { CAST_TEXTS } from "../texts.js";
import type { BotContext, PendingMessage } from "./context.js";
import { recallAudience } from "./audience.js";
import { channelLinePoster, discordWriter } from "./posters.js";
import type { MessageWriter } from "./message-writer.js";
import { canUseWebhook, webhookPoster } from "./webhooks.js";

/** Who started a scene, and where. */
export interface SceneStarter {
  readonly guildId: string;
  readonly userId: string;
  readonly channel: SendableChannels;
}

/**
 * Waits until the person who started the scene has allowance left for one more line: a
 * scene's lines count against their rate limit like messages of theirs would, so a scene
 * runs no faster than the server's `/masque limits` let one person ask. A line answering
 * people does not wait here (see Scene): they paid for it with their own messages.
 */
async function waitForAllowance(ctx: BotContext, starter: SceneStarter, signal: AbortSignal): Promise<void> {
  const { rates } = ctx.traffic;
  for (;;) {
    // The same bucket admission.ts gives the person's messages in this server.
    const verdict = rates.take(
      `${starter.guildId}:${starter.userId}`,
      ctx.moderation.policy.rateLimit(starter.guildId),
    );
    if (verdict.allowed) return;
    await sleep(verdict.retryAfterMs, undefined, { signal });
  }
}

/**
 * A line in the channel: under the persona's webhook identity when the server uses them and
 * a webhook can be had, else a normal message opening with its name in bold.
 */
async function lineSink(ctx: BotContext, starter: SceneStarter, persona: Persona): Promise<MessageWriter> {
  const log = ctx.core.log.child({ channel: starter.channel.id, guild: starter.guildId, persona: persona.id });
  const plain = channelLinePoster(starter.channel);
  const channel = starter.channel as Message["channel"];
  const viaWebhook =
    ctx.moderation.policy.personaWebhooks(starter.guildId) && (await canUseWebhook(channel, ctx.webhooks));
  const sink = viaWebhook ? webhookPoster(channel, persona, ctx.webhooks, plain, log) : plain;
  return discordWriter(ctx, sink, persona, {
    log,
    heading: viaWebhook ? undefined : CAST_TEXTS.replyHeading(persona.name),
  });
}

/** The scene's place in Discord: the bot's model slots and rate limits, and the channel's messages. */
function discordStage(ctx: BotContext, starter: SceneStarter): SceneStage {
  const rules = ctx.moderation.policy.contentRules(starter.guildId);
  return {
    waitForAllowance: (signal) => waitForAllowance(ctx, starter, signal),
    waitForSlot: (signal) => ctx.traffic.slots.acquire(signal),
    async lineFor(persona: Persona, heard: readonly IncomingTurn[]) {
      const sink = await lineSink(ctx, starter, persona);
      sink.start();
      const audience = recallAudience(
        starter.channel,
        heard.map((t) => t.authorId),
      );
      // Shown in the channel like any reply: noted as in flight, so after a crash the next start stores the cut line.
      return { sink, showsIn: starter.channel.id, review: ctx.moderation.content.replyReview(rules), audience };
    },
  };
}

/** A scene ready to run in a Discord channel. */
export function discordScene(ctx: BotContext, spec: SceneSpec, starter: SceneStarter): Scene {
  return new Scene(ctx.core.engine, spec, discordStage(ctx, starter));
}

/**
 * Runs a registered scene to its end, tracked like a reply (shutdown stops it), then
 * forgets it; `onEnd` shows how it ended. Never rejects: a failure is logged.
 */
export function runScene(ctx: BotContext, scene: Scene, onEnd: (result: SceneResult) => Promise<void>): Promise<void> {
  const log = ctx.core.log.child({ conversation: scene.spec.conversation.key });
  return ctx
    .track(async (signal) => {
      const stopOnShutdown = () => scene.stop();
      signal.addEventListener("abort", stopOnShutdown, { once: true });
      try {
        const result = await scene.run();
        log.info(
          { end: result.end, lines: result.speakers.length, speakers: result.speakers, err: result.error?.message },
          "scene ended",
        );
        await onEnd(result);
      } finally {
        signal.removeEventListener("abort", stopOnShutdown);
        ctx.scenes.end(scene);
      }
    })
    .catch((error: unknown) => {
      ctx.scenes.end(scene);
      log.error({ err: error }, "a scene failed");
    });
}

/**
 * Hands a person's message in a channel where a scene runs to that scene; false when no
 * scene takes it (it is then answered the usual way).
 */
export function hearInScene(ctx: BotContext, conversationKey: string, pending: PendingMessage): boolean {
  const scene = ctx.scenes.get(conversationKey);
  const repliedTo = pending.quoted?.personaId ? ctx.core.personas().get(pending.quoted.personaId) : undefined;
  return scene?.hear(pending.turn, repliedTo) ?? false;
}

/**
 * Stops, at once, the scenes in `channelId` or its threads that its mode now keeps quiet:
 * a scene hears everything said where it runs, and an `off` channel hears nothing.
 * Returns the scenes stopped.
 */
export function stopScenesSilenced(ctx: BotContext, channelId: string): Scene[] {
  const { policy } = ctx.moderation;
  const silenced = ctx.scenes.running().filter((scene) => {
    const { channelId: here, parentId } = scene.spec.conversation;
    if (!here || (here !== channelId && parentId !== channelId)) return false;
    return !scene.closed && policy.channelMode(here, parentId).mode === "off";
  });
  for (const scene of silenced) scene.stop();
  return silenced;
}

/** Whether a scene takes messages in the conversation now: every person's message there joins it. */
export function sceneListens(ctx: BotContext, conversationKey: string): boolean {
  const scene = ctx.scenes.get(conversationKey);
  return scene !== undefined && !scene.closed;
}

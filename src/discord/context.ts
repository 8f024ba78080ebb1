import type { AnyThreadChannel, Client, Message } from "discord.js";
import type { BotConfig } from "../config.js";
import type { Core } from "../core.js";
import type { EditBudget } from "./edit-budget.js";
import type { WebhookPool } from "./webhooks.js";
import type { BatchingQueue } from "../traffic/batching.js";
import type { Moderation } from "../moderation/index.js";
import type { Traffic } from "../traffic/index.js";
import type { IncomingTurn } from "../chat/engine.js";
import type { QuotedMessage } from "../chat/prompt.js";
import type { Trigger } from "./triggers.js";
import type { SceneRegistry } from "../chat/scene.js";
import type { Persona } from "../personas/persona.js";
import type { InOrder } from "./intake.js";

/** Who answers a message, decided once when it arrives (see ChatEngine.answerers) and carried to its reply. */
export interface Lineup {
  /** The personas that answer it, in order. */
  readonly answerers: readonly Persona[];
  /** Whether its conversation has a cast (more than one persona): each reply is then named when no webhook shows whose it is. */
  readonly inCast: boolean;
}

/** A message admitted for an answer, waiting in its conversation's queue. */
export interface PendingMessage {
  readonly message: Message;
  readonly trigger: Trigger;
  readonly turn: IncomingTurn;
  /** Who answers it; a batch is answered by its newest message's. */
  readonly lineup: Lineup;
  readonly quoted?: QuotedMessage;
  /** The thread opened for the reply (`/masque threads on`); the reply goes there, not under the message. */
  readonly thread?: AnyThreadChannel;
}

/** Where a pending message is answered, and whose conversation it joins: the thread opened for it, else its own channel. */
export function answeredIn(pending: PendingMessage): Message["channel"] {
  return pending.thread ?? pending.message.channel;
}

/** What event handlers and commands work with. */
export interface BotContext {
  readonly client: Client;
  readonly core: Core;
  readonly config: BotConfig;
  /** The edit rate all streaming replies share. */
  readonly editBudget: EditBudget;
  /** The channel webhooks personas post through, where PERSONA_WEBHOOKS or the server's choice says so. */
  readonly webhooks: WebhookPool;
  /** Each server's rules: settings with defaults, content checks, the audit log. */
  readonly moderation: Moderation;
  /** Per-person allowances, model slots, reply gaps. */
  readonly traffic: Traffic;
  /** One reply at a time per conversation; messages arriving meanwhile are answered together next. */
  readonly conversations: BatchingQueue<PendingMessage>;
  /** The scenes running, at most one per conversation. */
  readonly scenes: SceneRegistry;
  /** Messages taken in, in Discord's order per conversation (see InOrder). */
  readonly intake: InOrder;
  /** Servers whose missing thread permission was logged already, so it is said once per bot run. */
  readonly threadWarnings: Set<string>;
  /** Tracks a reply so shutdown can wait for it or abort it. */
  track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** True once shutdown began; no new replies start. */
  readonly stopping: boolean;
}

/** A logger that names the message's channel, server and id. */
export function logFor(ctx: BotContext, message: Message) {
  return ctx.core.log.child({ channel: message.channelId, guild: message.guildId ?? "dm", message: message.id });
}

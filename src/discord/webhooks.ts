import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type AnyThreadChannel,
  DiscordAPIError,
  type Message,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type TextChannel,
  type Webhook,
} from "discord.js";
import type { Logger } from "../log.js";
import { withoutControlCharacters } from "../personas/parse.js";
import type { Persona } from "../personas/persona.js";
import type { MessagePoster } from "./message-writer.js";

/** The name of the webhook the bot creates in each channel (personas post under their own names). */
export const WEBHOOK_NAME = "Masque";
/** After a channel refuses a webhook, normal messages are used for this long before trying again. */
export const WEBHOOK_RETRY_AFTER_MS = 10 * 60 * 1000;
/** Discord's limits on a webhook message's username. */
const MAX_USERNAME_LENGTH = 80;
const FORBIDDEN_USERNAME_WORDS = /discord|clyde/gi;
const FORBIDDEN_USERNAMES = new Set(["everyone", "here"]);
const ZERO_WIDTH_SPACE = "\u200b";
/** Mentions model output may not trigger; a webhook message is never a reply, so nobody is pinged. */
const NO_MENTIONS = { parse: [] as [] };
const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};

type WebhookChannel = TextChannel;

/**
 * A persona name as Discord accepts it for a webhook message: 1–80 characters, without
 * "discord" or "clyde" (broken up with a zero-width space), never "everyone" or "here".
 */
export function webhookUsername(name: string): string {
  let username = withoutControlCharacters(name)
    .replace(/\s+/g, " ")
    .trim()
    .replace(FORBIDDEN_USERNAME_WORDS, (word) => `${word.slice(0, 1)}${ZERO_WIDTH_SPACE}${word.slice(1)}`);
  if (FORBIDDEN_USERNAMES.has(username.toLowerCase())) username = `${username}${ZERO_WIDTH_SPACE}`;
  username = [...username].slice(0, MAX_USERNAME_LENGTH).join("");
  return username.length > 0 ? username : WEBHOOK_NAME;
}

function isApiError(error: unknown, ...codes: number[]): error is DiscordAPIError {
  return error instanceof DiscordAPIError && codes.includes(Number(error.code));
}

/**
 * One bot-owned webhook per channel, found or created once (concurrent callers share the
 * same promise), forgotten and recreated once on "Unknown Webhook". A channel that has no
 * room for another webhook, or where the bot lacks Manage Webhooks, gets normal messages
 * for a while, and the reason is logged.
 */
export class WebhookPool {
  readonly #webhooks = new Map<string, Promise<Webhook | undefined>>();
  readonly #refusedUntil = new Map<string, number>();
  /** Which persona's image a webhook wears (or is being given), so the avatar is uploaded only on a change. */
  readonly #avatarOf = new Map<string, { personaId: string; set: Promise<void> }>();
  readonly #avatarData = new Map<string, string | undefined>();

  constructor(
    private readonly log: Logger,
    private readonly personasDir: string,
  ) {}

  /** The webhook to post in `channel` with, or undefined when normal messages must do. */
  get(channel: WebhookChannel): Promise<Webhook | undefined> {
    if ((this.#refusedUntil.get(channel.id) ?? 0) > Date.now()) return Promise.resolve(undefined);
    let webhook = this.#webhooks.get(channel.id);
    if (!webhook) {
      webhook = this.#findOrCreate(channel);
      this.#webhooks.set(channel.id, webhook);
    }
    return webhook;
  }

  /** Drops a webhook Discord no longer knows, so the next `get` makes a new one. */
  forget(channelId: string): void {
    this.#webhooks.delete(channelId);
  }

  async #findOrCreate(channel: WebhookChannel): Promise<Webhook | undefined> {
    const me = channel.guild.members.me;
    if (me && !channel.permissionsFor(me)?.has(PermissionFlagsBits.ManageWebhooks)) {
      return this.#refuse(channel, "the bot lacks the Manage Webhooks permission there");
    }
    try {
      const existing = (await channel.fetchWebhooks()).find(
        (w) => w.applicationId === channel.client.application?.id && w.token,
      );
      return existing ?? (await channel.createWebhook({ name: WEBHOOK_NAME, reason: "Masque posts as its personas" }));
    } catch (error) {
      if (isApiError(error, RESTJSONErrorCodes.MaximumNumberOfWebhooksReached))
        return this.#refuse(channel, "the channel has no room for another webhook");
      if (isApiError(error, RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.MissingAccess))
        return this.#refuse(channel, "Discord refused the webhook (missing permission)");
      this.#webhooks.delete(channel.id);
      throw error;
    }
  }

  #refuse(channel: WebhookChannel, reason: string): undefined {
    this.log.warn(
      { channel: channel.id, guild: channel.guildId },
      `persona webhooks unavailable: ${reason}; using normal messages`,
    );
    this.#refusedUntil.set(channel.id, Date.now() + WEBHOOK_RETRY_AFTER_MS);
    this.#webhooks.delete(channel.id);
    return undefined;
  }

  /**
   * The avatar to send with a message: a URL is passed as is; an image file in the
   * personas folder becomes the webhook's own avatar (uploaded when the persona changes).
   */
  async avatarFor(webhook: Webhook, persona: Persona): Promise<string | undefined> {
    const avatar = persona.avatar;
    if (!avatar) return undefined;
    if (/^https?:\/\//i.test(avatar)) return avatar;
    const current = this.#avatarOf.get(webhook.id);
    if (current?.personaId === persona.id) {
      await current.set;
      return undefined;
    }
    const data = this.#imageData(avatar);
    if (!data) return undefined;
    // Recorded before the upload, so replies racing for the same webhook upload once.
    const set = webhook.edit({ avatar: data, reason: `Persona ${persona.id}` }).then(
      () => undefined,
      (error: unknown) => {
        this.#avatarOf.delete(webhook.id);
        this.log.warn(
          { persona: persona.id, err: (error as Error).message },
          "could not set the persona's avatar on the webhook",
        );
      },
    );
    this.#avatarOf.set(webhook.id, { personaId: persona.id, set });
    await set;
    return undefined;
  }

  #imageData(avatar: string): string | undefined {
    if (this.#avatarData.has(avatar)) return this.#avatarData.get(avatar);
    const file = path.resolve(this.personasDir, avatar);
    const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
    let data: string | undefined;
    if (!file.startsWith(path.resolve(this.personasDir) + path.sep) || !type) {
      this.log.warn(
        { avatar },
        "persona avatar must be a URL or an image (png, jpg, gif, webp) inside the personas folder",
      );
    } else {
      try {
        data = `data:${type};base64,${readFileSync(file).toString("base64")}`;
      } catch (error) {
        this.log.warn({ avatar, err: (error as Error).message }, "cannot read the persona's avatar file");
      }
    }
    this.#avatarData.set(avatar, data);
    return data;
  }

  /** Forgets cached avatar images (after personas are reloaded). */
  clearAvatars(): void {
    this.#avatarData.clear();
    this.#avatarOf.clear();
  }
}

/** The channel whose webhook posts in `channel`: a thread's parent, else the channel itself. */
function webhookHome(channel: Message["channel"]): WebhookChannel | null {
  return (channel.isThread() ? (channel as AnyThreadChannel).parent : channel) as WebhookChannel | null;
}

/** Whether replies in `channel` can go out through a webhook now (one is found or made); false when normal messages must do. */
export async function canUseWebhook(channel: Message["channel"], pool: WebhookPool): Promise<boolean> {
  const home = webhookHome(channel);
  if (!home || !("fetchWebhooks" in home)) return false;
  return (await pool.get(home).catch(() => undefined)) !== undefined;
}

/**
 * Posts a reply in `channel` through its webhook under the persona's name and face, and
 * streams it by editing the webhook message. Threads use their parent's webhook. When no
 * webhook can be had, it falls back to `fallback` (normal messages).
 */
export function webhookPoster(
  channel: Message["channel"],
  persona: Persona,
  pool: WebhookPool,
  fallback: MessagePoster,
  log: Logger,
): MessagePoster {
  const thread = channel.isThread() ? (channel as AnyThreadChannel) : undefined;
  const home = webhookHome(channel);
  const viaWebhook = new Map<string, Webhook>();

  const send = async (webhook: Webhook, content: string) =>
    webhook.send({
      content,
      username: webhookUsername(persona.name),
      avatarURL: await pool.avatarFor(webhook, persona),
      allowedMentions: NO_MENTIONS,
      threadId: thread?.id,
    });

  return {
    sendTyping: () => fallback.sendTyping(),
    // A file goes out as a normal message: it is a note about the reply, not the persona speaking.
    postFile: (content, file) => fallback.postFile(content, file),
    async post(content, isFirst) {
      const webhook = home && "fetchWebhooks" in home ? await pool.get(home) : undefined;
      if (!webhook || !home) return fallback.post(content, isFirst);
      let posted: Message;
      try {
        posted = await send(webhook, content);
        viaWebhook.set(posted.id, webhook);
      } catch (error) {
        if (!isApiError(error, RESTJSONErrorCodes.UnknownWebhook)) throw error;
        log.info({ channel: home.id }, "the persona webhook was deleted; making a new one");
        pool.forget(home.id);
        const fresh = await pool.get(home);
        if (!fresh) return fallback.post(content, isFirst);
        posted = await send(fresh, content);
        viaWebhook.set(posted.id, fresh);
      }
      return posted;
    },
    async edit(messageId, content) {
      const webhook = viaWebhook.get(messageId);
      if (!webhook) return fallback.edit(messageId, content);
      await webhook.editMessage(messageId, { content, threadId: thread?.id, allowedMentions: NO_MENTIONS });
    },
  };
}

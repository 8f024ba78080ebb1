/** Discord's intent rules: which dispatches a session gets, and what it may read in them. */

import { Intent } from "./constants.js";
import type { Json } from "./types.js";

const MESSAGE_EVENTS = new Set(["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"]);
const CONTENT_EVENTS = new Set(["MESSAGE_CREATE", "MESSAGE_UPDATE"]);

export function hasIntent(intents: number, intent: number): boolean {
  return (intents & intent) !== 0;
}

/**
 * The payload this session receives for an event, or null when its intents exclude it.
 * Without MessageContent, guild messages lose content, embeds, attachments and components
 * unless the bot wrote them or is mentioned (DMs always keep them), as on Discord.
 */
export function shapeForIntents(event: string, data: Json, intents: number, botId: string): Json | null {
  if (event === "GUILD_MEMBER_UPDATE") {
    // Discord sends the bot its own member updates even without GuildMembers.
    const user = data.user as Json | undefined;
    return hasIntent(intents, Intent.GuildMembers) || user?.id === botId ? data : null;
  }
  if (!MESSAGE_EVENTS.has(event)) return data;
  const isDm = data.guild_id === undefined;
  const needed = isDm ? Intent.DirectMessages : Intent.GuildMessages;
  if (!hasIntent(intents, needed)) return null;
  if (!CONTENT_EVENTS.has(event) || hasIntent(intents, Intent.MessageContent)) return data;
  return canReadContent(data, botId) ? data : blankContent(data);
}

/** Whether an app without the MessageContent intent still sees this message's content. */
export function canReadContent(message: Json, botId: string): boolean {
  const isDm = message.guild_id === undefined;
  const author = message.author as Json | undefined;
  const mentions = Array.isArray(message.mentions) ? (message.mentions as Json[]) : [];
  return isDm || author?.id === botId || mentions.some((user) => user.id === botId);
}

export function blankContent(message: Json): Json {
  const { poll: _poll, ...rest } = message;
  return { ...rest, content: "", embeds: [], attachments: [], components: [] };
}

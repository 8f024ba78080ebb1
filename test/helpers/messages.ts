import { type Message, MessageType } from "discord.js";

/** What a test says about a message; the rest has plain defaults (Ali, in a server's #general, no mentions). */
export interface MessageFacts {
  readonly id?: string;
  readonly authorId?: string;
  readonly authorIsBot?: boolean;
  readonly guildId?: string | null;
  readonly channelId?: string;
  readonly content?: string;
  readonly type?: MessageType;
  readonly system?: boolean;
  readonly webhookId?: string | null;
  readonly mentionedUserIds?: readonly string[];
  readonly mentionedRoleIds?: readonly string[];
  /** The bot's managed role in the server, when it has one. */
  readonly botRoleId?: string;
  /** The message it replies to, with that message's author when discord.js has it cached. */
  readonly replyTo?: { readonly messageId: string; readonly cachedAuthorId?: string; readonly repliedUserId?: string };
}

/** What a test can read back from a message the code under test answered. */
export interface MessageEffects {
  readonly replies: string[];
  readonly reactions: string[];
}

/**
 * A stand-in for a discord.js Message carrying only the fields the intake reads (triggers,
 * admission, answering), for unit tests of those decisions; the end-to-end tests use the real client.
 */
export function messageWith(facts: MessageFacts): { message: Message; effects: MessageEffects } {
  const guildId = facts.guildId === undefined ? "900" : facts.guildId;
  const effects: MessageEffects = { replies: [], reactions: [] };
  const cached = new Map(
    facts.replyTo?.cachedAuthorId ? [[facts.replyTo.messageId, { author: { id: facts.replyTo.cachedAuthorId } }]] : [],
  );
  const channelId = facts.channelId ?? "100";
  const stand = {
    id: facts.id ?? "700",
    content: facts.content ?? "hello",
    guildId,
    channelId,
    type: facts.type ?? (facts.replyTo ? MessageType.Reply : MessageType.Default),
    system: facts.system ?? false,
    webhookId: facts.webhookId ?? null,
    author: { id: facts.authorId ?? "310000000000000001", bot: facts.authorIsBot ?? false },
    inGuild: () => guildId !== null,
    channel: {
      id: channelId,
      guildId,
      isThread: () => false,
      isDMBased: () => guildId === null,
      messages: { cache: cached },
    },
    guild:
      guildId === null
        ? null
        : { members: { me: { roles: { botRole: facts.botRoleId ? { id: facts.botRoleId } : null } } } },
    mentions: {
      users: new Set(facts.mentionedUserIds ?? []),
      roles: new Set(facts.mentionedRoleIds ?? []),
      repliedUser: facts.replyTo?.repliedUserId ? { id: facts.replyTo.repliedUserId } : null,
    },
    reference: facts.replyTo ? { messageId: facts.replyTo.messageId } : null,
    reply: async (options: { content: string }) => {
      effects.replies.push(options.content);
      return {};
    },
    react: async (emoji: string) => {
      effects.reactions.push(emoji);
      return {};
    },
  };
  // Only the fields above are read by the code these tests drive; the rest of Message is never touched.
  return { message: stand as unknown as Message, effects };
}

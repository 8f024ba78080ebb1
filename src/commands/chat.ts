import {
  type ChatInputCommandInteraction,
  ChannelType,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  RESTJSONErrorCodes,
  SlashCommandBuilder,
  type TextChannel,
  type AnyThreadChannel,
} from "discord.js";
import type { BotContext } from "../discord/context.js";
import { conversationKey, conversationOf } from "../discord/conversation.js";
import { SAFE_MENTIONS } from "../discord/mentions.js";
import { mayOpenThread, THREAD_ARCHIVE_AFTER, threadName } from "../discord/threads.js";
import type { Persona } from "../personas/persona.js";
import { PERSONA_TEXTS, THREAD_TEXTS } from "../texts.js";
import { askerName, postGreetingIn } from "./persona/greet.js";
import { autocomplete } from "./persona/index.js";
import type { SlashCommand } from "./types.js";

const PERSONA_OPTION = "persona";
const PRIVATE_OPTION = "private";
/** Threads one person may open with /chat in a server per hour; past it, /chat refuses until the oldest is an hour old. */
export const MAX_CHAT_THREADS_PER_HOUR = 3;
const HOUR_MS = 60 * 60 * 1000;
/** How many of a person's newest /chat threads from a channel are looked at for one still open with the same persona. */
const REUSE_CANDIDATES = 5;

async function refuse(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

/** Why /chat cannot open a thread here, or undefined when it can: a text channel where the bot speaks and may open one. */
function refusalHere(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  isPrivate: boolean,
): string | undefined {
  const channel = interaction.channel;
  if (channel?.isThread()) return THREAD_TEXTS.notInThread;
  if (!interaction.inCachedGuild() || channel?.type !== ChannelType.GuildText) return THREAD_TEXTS.notInChannel;
  const { policy } = ctx.moderation;
  if (policy.channelMode(channel.id).mode === "off" || policy.isBlocked(interaction.guildId, interaction.user.id))
    return THREAD_TEXTS.notHere;
  return mayOpenThread(channel, isPrivate) ? undefined : THREAD_TEXTS.cannotOpen(isPrivate);
}

/**
 * Opens the thread, records it as Masque's with the persona chosen for it (the audit log
 * says who opened it), and adds the person: a private thread shows only to its members.
 */
async function openThread(
  interaction: ChatInputCommandInteraction<"cached">,
  ctx: BotContext,
  persona: Persona,
  isPrivate: boolean,
): Promise<AnyThreadChannel> {
  const channel = interaction.channel as TextChannel;
  const { memory } = ctx.core;
  const thread = await channel.threads.create({
    name: threadName(THREAD_TEXTS.chatThreadName(persona.name, askerName(interaction)), persona.name),
    type: isPrivate ? ChannelType.PrivateThread : ChannelType.PublicThread,
    autoArchiveDuration: THREAD_ARCHIVE_AFTER,
    ...(isPrivate && { invitable: false }),
    reason: THREAD_TEXTS.reason,
  });
  memory.threads.record({
    threadId: thread.id,
    guildId: interaction.guildId,
    parentId: channel.id,
    openedBy: interaction.user.id,
    private: isPrivate,
    openedWith: "chat",
  });
  memory.personaChoices.setConversationPersona(conversationKey(thread.id), persona.id, interaction.user.id);
  ctx.moderation.audit.record({
    guildId: interaction.guildId,
    channelId: channel.id,
    actorId: interaction.user.id,
    action: "thread.open",
    targetId: thread.id,
    details: { persona: persona.id, private: isPrivate },
  });
  ctx.core.log.info(
    {
      guild: interaction.guildId,
      channel: channel.id,
      thread: thread.id,
      by: interaction.user.id,
      persona: persona.id,
      private: isPrivate,
    },
    "thread opened",
  );
  await thread.members.add(interaction.user.id);
  return thread;
}

/** The person's open thread from this channel (public or private as asked) where `persona` answers, if there is one. */
async function openThreadWith(
  interaction: ChatInputCommandInteraction<"cached">,
  ctx: BotContext,
  persona: Persona,
  isPrivate: boolean,
): Promise<AnyThreadChannel | undefined> {
  for (const threadId of ctx.core.memory.threads.chatThreadsIn(
    interaction.channelId,
    interaction.user.id,
    isPrivate,
    REUSE_CANDIDATES,
  )) {
    const thread = await interaction.guild.channels.fetch(threadId).catch((error: unknown) => {
      if (error instanceof DiscordAPIError) return null; // deleted, or no longer visible to the bot
      throw error;
    });
    if (!thread?.isThread() || thread.archived || thread.locked) continue;
    if (ctx.core.engine.resolvePersona(conversationOf(thread)).persona.id === persona.id) return thread;
  }
  return undefined;
}

/** When the person may open another thread (Unix seconds), or undefined when they may now. */
function nextThreadAt(interaction: ChatInputCommandInteraction<"cached">, ctx: BotContext): number | undefined {
  const opened = ctx.core.memory.threads.chatThreadsOpenedSince(
    interaction.guildId,
    interaction.user.id,
    Date.now() - HOUR_MS,
  );
  if (opened.length < MAX_CHAT_THREADS_PER_HOUR) return undefined;
  // Below the bound again once all but MAX - 1 of them are an hour old.
  return Math.ceil((opened.at(-MAX_CHAT_THREADS_PER_HOUR)! + HOUR_MS) / 1000);
}

function isMissingPermission(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    [RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.MissingAccess].includes(Number(error.code))
  );
}

/**
 * `/chat [persona] [private]`: anyone may open a thread from a channel where the bot
 * speaks; the persona (the channel's lead unless named) greets them there and answers every
 * message without a mention. A private thread needs Create Private Threads: without it
 * the answer says so, and no public thread is opened instead. A person's open thread with
 * the same persona is linked to instead of opening another, and each person opens at most
 * MAX_CHAT_THREADS_PER_HOUR threads an hour in a server.
 */
export const chatCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName("chat")
    .setDescription("Open a thread where a persona answers every message, no mention needed")
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) =>
      o
        .setName(PERSONA_OPTION)
        .setDescription("Who to talk with (default: this channel's persona)")
        .setAutocomplete(true),
    )
    .addBooleanOption((o) => o.setName(PRIVATE_OPTION).setDescription("A private thread, only for you and the persona"))
    .toJSON(),
  autocomplete,
  async execute(interaction, ctx) {
    const isPrivate = interaction.options.getBoolean(PRIVATE_OPTION) ?? false;
    const refusal = refusalHere(interaction, ctx, isPrivate);
    if (refusal || !interaction.inCachedGuild() || !interaction.channel) {
      await refuse(interaction, refusal ?? THREAD_TEXTS.notInChannel);
      return;
    }
    const named = interaction.options.getString(PERSONA_OPTION);
    const persona =
      named === null
        ? ctx.core.engine.resolvePersona(conversationOf(interaction.channel)).persona
        : ctx.core.personas().get(named);
    if (!persona) {
      await refuse(interaction, PERSONA_TEXTS.noSuchPersona(named ?? ""));
      return;
    }
    // A thread with this persona already open is where to carry on; else a few new ones an hour.
    const open = await openThreadWith(interaction, ctx, persona, isPrivate);
    if (open) {
      await refuse(interaction, THREAD_TEXTS.alreadyOpen(open.id, persona.name));
      return;
    }
    const nextAt = nextThreadAt(interaction, ctx);
    if (nextAt !== undefined) {
      await refuse(interaction, THREAD_TEXTS.tooManyThreads(MAX_CHAT_THREADS_PER_HOUR, nextAt));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    let thread: AnyThreadChannel;
    try {
      thread = await openThread(interaction, ctx, persona, isPrivate);
    } catch (error) {
      if (!isMissingPermission(error)) throw error;
      ctx.core.log.info(
        { guild: interaction.guildId, channel: interaction.channelId, err: (error as Error).message },
        "Discord refused to open a /chat thread",
      );
      await interaction.editReply({ content: THREAD_TEXTS.cannotOpen(isPrivate), allowedMentions: SAFE_MENTIONS });
      return;
    }
    await interaction.editReply({
      content: THREAD_TEXTS.opened(thread.id, persona.name, isPrivate),
      allowedMentions: SAFE_MENTIONS,
    });
    const greeted = await postGreetingIn(thread, ctx, persona, { user: askerName(interaction) });
    if (!greeted) await thread.send({ content: THREAD_TEXTS.opener(persona.name), allowedMentions: SAFE_MENTIONS });
  },
};

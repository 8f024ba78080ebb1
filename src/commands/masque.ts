import {
  ChannelType,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { isChannelOfServer } from "../discord/channels.js";
import type { BotContext } from "../discord/context.js";
import { SAFE_MENTIONS } from "../discord/mentions.js";
import { DISCORD_MESSAGE_LIMIT } from "../discord/split.js";
import type { AuditAction, AuditDetails } from "../memory/audit.js";
import { CHANNEL_MODES, type ChannelMode, MODERATION_PROVIDERS, type ModerationProvider } from "../memory/moderation.js";
import {
  auditLines,
  blockedLines,
  describeLimits,
  describeMode,
  describeModeSource,
  describeProvider,
  describeStatus,
  fitLines,
} from "../moderation/describe.js";
import { InvalidFilterEntryError, MAX_BLOCKED_WORD_CHARS, MAX_BLOCKED_WORDS, normalizeFilterEntry } from "../moderation/filter.js";
import { isServerAdmin } from "../moderation/permissions.js";
import { MAX_AUTO_GAP_SECONDS, MAX_RATE_MESSAGES, MAX_RATE_WINDOW_SECONDS } from "../moderation/policy.js";
import type { SlashCommand } from "./types.js";

/** `/masque audit` shows this many entries unless asked for another number... */
export const DEFAULT_AUDIT_ENTRIES = 10;
/** ...and at most this many. */
export const MAX_AUDIT_ENTRIES = 25;
/** A block reason is at most this long. */
const MAX_REASON_CHARS = 200;
/** The "default" choice of `/masque channel` and `/masque moderation`: drop the setting. */
const DEFAULT_CHOICE = "default";

const NOT_ADMIN = "Only server admins can use /masque: you need the Manage Server permission or a Masque admin role.";

const TEXT_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
] as const;

const data = new SlashCommandBuilder()
  .setName("masque")
  .setDescription("Moderate Masque in this server (admins)")
  .setContexts(InteractionContextType.Guild)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((sub) =>
    sub
      .setName("channel")
      .setDescription("Where I speak: off, mention (default) or auto, for this channel or another")
      .addStringOption((o) =>
        o
          .setName("mode")
          .setDescription("off: ignore it; mention: mentions and replies; auto: every message")
          .setRequired(true)
          .addChoices(...CHANNEL_MODES.map((mode) => ({ name: mode, value: mode })), { name: "default (follow the parent channel, or mention)", value: DEFAULT_CHOICE }),
      )
      .addChannelOption((o) => o.setName("channel").setDescription("Default: this channel").addChannelTypes(...TEXT_CHANNELS)),
  )
  .addSubcommand((sub) => sub.setName("status").setDescription("This server's Masque settings at a glance"))
  .addSubcommand((sub) =>
    sub
      .setName("block")
      .setDescription("Ignore someone's messages (they are not stored either)")
      .addUserOption((o) => o.setName("user").setDescription("Who to ignore").setRequired(true))
      .addStringOption((o) => o.setName("reason").setDescription("Kept in the audit log").setMaxLength(MAX_REASON_CHARS)),
  )
  .addSubcommand((sub) =>
    sub
      .setName("unblock")
      .setDescription("Answer someone again")
      .addUserOption((o) => o.setName("user").setDescription("Who to answer again").setRequired(true)),
  )
  .addSubcommand((sub) => sub.setName("blocked").setDescription("Who is blocked here"))
  .addSubcommand((sub) =>
    sub
      .setName("limits")
      .setDescription("Show or change how much each person may ask")
      .addIntegerOption((o) => o.setName("messages").setDescription("Messages per person per window").setMinValue(1).setMaxValue(MAX_RATE_MESSAGES))
      .addIntegerOption((o) => o.setName("per_seconds").setDescription("The window, in seconds").setMinValue(1).setMaxValue(MAX_RATE_WINDOW_SECONDS))
      .addIntegerOption((o) =>
        o.setName("auto_gap_seconds").setDescription("Least time between my replies in auto channels").setMinValue(0).setMaxValue(MAX_AUTO_GAP_SECONDS),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("moderation")
      .setDescription("Content checks by the model provider: off, openai, or the bot's default")
      .addStringOption((o) =>
        o
          .setName("provider")
          .setDescription("openai uses the provider's moderation endpoint")
          .setRequired(true)
          .addChoices(...MODERATION_PROVIDERS.map((p) => ({ name: p, value: p })), { name: "default (the bot's MODERATION setting)", value: DEFAULT_CHOICE }),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("webhooks")
      .setDescription("Reply under each persona's own name and avatar (needs Manage Webhooks)")
      .addStringOption((o) =>
        o
          .setName("use")
          .setDescription("on, off, or default (PERSONA_WEBHOOKS)")
          .setRequired(true)
          .addChoices({ name: "on", value: "on" }, { name: "off", value: "off" }, { name: "default", value: DEFAULT_CHOICE }),
      ),
  )
  .addSubcommandGroup((group) =>
    group
      .setName("filter")
      .setDescription("Blocked words and phrases, checked without any provider")
      .addSubcommand((sub) =>
        sub
          .setName("add")
          .setDescription("Block a word or phrase; * matches any letters inside a word")
          .addStringOption((o) => o.setName("entry").setDescription("e.g. free nitro, or scam*").setRequired(true).setMaxLength(MAX_BLOCKED_WORD_CHARS)),
      )
      .addSubcommand((sub) =>
        sub
          .setName("remove")
          .setDescription("Unblock a word or phrase")
          .addStringOption((o) => o.setName("entry").setDescription("As listed by /masque filter list").setRequired(true).setMaxLength(MAX_BLOCKED_WORD_CHARS)),
      )
      .addSubcommand((sub) => sub.setName("list").setDescription("The blocked words and phrases")),
  )
  .addSubcommand((sub) =>
    sub
      .setName("audit")
      .setDescription("The latest admin actions and moderation events")
      .addIntegerOption((o) => o.setName("limit").setDescription(`How many (default ${DEFAULT_AUDIT_ENTRIES})`).setMinValue(1).setMaxValue(MAX_AUDIT_ENTRIES)),
  )
  .addSubcommand((sub) =>
    sub
      .setName("log-channel")
      .setDescription("Post new audit entries in a channel; leave empty to stop")
      .addChannelOption((o) => o.setName("channel").setDescription("Where to post them").addChannelTypes(...TEXT_CHANNELS)),
  )
  .addSubcommand((sub) =>
    sub
      .setName("admin-role")
      .setDescription("Let a role's members use admin commands, besides Manage Server")
      .addRoleOption((o) => o.setName("role").setDescription("The role").setRequired(true))
      .addStringOption((o) =>
        o.setName("action").setDescription("Add (default) or remove").addChoices({ name: "add", value: "add" }, { name: "remove", value: "remove" }),
      ),
  );

/** One admin call: the interaction, the context, and the server it is about. */
interface AdminCall {
  readonly interaction: ChatInputCommandInteraction;
  readonly ctx: BotContext;
  readonly guildId: string;
}

/** Answers privately; every /masque answer is for the admin alone. */
async function answer(call: AdminCall, content: string): Promise<void> {
  await call.interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

function audit(call: AdminCall, action: AuditAction, targetId: string | null, details: AuditDetails = {}): void {
  const { interaction, ctx, guildId } = call;
  ctx.moderation.audit.record({ guildId, channelId: interaction.channelId, actorId: interaction.user.id, action, targetId, details });
}

const notThisServer = (channelId: string) => `<#${channelId}> is not a channel of this server; nothing was changed.`;

function parentIdOf(ctx: BotContext, channelId: string): string | null {
  const channel = ctx.client.channels.cache.get(channelId);
  return channel?.isThread() ? channel.parentId : null;
}

async function channel(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const store = ctx.core.memory.moderation;
  const choice = interaction.options.getString("mode", true);
  const channelId = interaction.options.getChannel("channel")?.id ?? interaction.channelId;
  if (channelId !== interaction.channelId && !(await isChannelOfServer(ctx, channelId, guildId))) {
    await answer(call, notThisServer(channelId));
    return;
  }
  let changed = true;
  if (choice === DEFAULT_CHOICE) changed = store.clearChannelMode(channelId);
  else store.setChannelMode(guildId, channelId, choice as ChannelMode, interaction.user.id);
  if (changed) audit(call, "channel.mode", channelId, { mode: choice });
  const { mode, source } = ctx.moderation.policy.channelMode(channelId, parentIdOf(ctx, channelId));
  const gap = ctx.moderation.policy.limits(guildId).autoGapSeconds;
  await answer(call, `<#${channelId}> is now \`${mode}\` (${describeModeSource(source)}): ${describeMode(mode, gap)}.`);
}

async function status(call: AdminCall): Promise<void> {
  const { ctx, guildId } = call;
  const store = ctx.core.memory.moderation;
  const { policy, slots } = ctx.moderation;
  const { provider, isServerChoice } = policy.provider(guildId);
  const lines = describeStatus({
    channelModes: store.channelModes(guildId),
    limits: policy.limits(guildId),
    provider,
    providerIsServerChoice: isServerChoice,
    blockedWords: store.blockedWords(guildId).length,
    blockedUsers: store.blockedUsers(guildId).length,
    adminRoles: store.adminRoles(guildId),
    configuredAdminRoles: ctx.config.adminRoleIds,
    logChannelId: store.guildSettings(guildId).logChannelId,
    personaWebhooks: policy.personaWebhooks(guildId),
    personaWebhooksIsServerChoice: store.guildSettings(guildId).personaWebhooks !== undefined,
    modelCalls: { active: slots.active, max: slots.maxActive, waiting: slots.waiting, maxWaiting: slots.maxWaiting },
  });
  await answer(call, fitLines("**Masque in this server**", lines, DISCORD_MESSAGE_LIMIT));
}

async function block(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const user = interaction.options.getUser("user", true);
  const reason = interaction.options.getString("reason");
  if (!ctx.core.memory.moderation.block(guildId, user.id, interaction.user.id, reason)) {
    await answer(call, `<@${user.id}> was already blocked.`);
    return;
  }
  audit(call, "user.block", user.id, reason ? { reason } : {});
  await answer(call, `<@${user.id}> is blocked: I ignore their messages in this server and store none of them.`);
}

async function unblock(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const user = interaction.options.getUser("user", true);
  if (!ctx.core.memory.moderation.unblock(guildId, user.id)) {
    await answer(call, `<@${user.id}> was not blocked.`);
    return;
  }
  audit(call, "user.unblock", user.id);
  await answer(call, `<@${user.id}> is unblocked: I answer them again.`);
}

async function blocked(call: AdminCall): Promise<void> {
  const users = call.ctx.core.memory.moderation.blockedUsers(call.guildId);
  await answer(call, users.length === 0 ? "Nobody is blocked here." : fitLines("**Blocked here**", blockedLines(users), DISCORD_MESSAGE_LIMIT));
}

async function limits(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const { options } = interaction;
  const given = {
    rateMessages: options.getInteger("messages"),
    rateWindowSeconds: options.getInteger("per_seconds"),
    autoGapSeconds: options.getInteger("auto_gap_seconds"),
  };
  // Only the options given change; a key left out keeps its value.
  const patch: Partial<Record<keyof typeof given, number>> = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== null));
  if (Object.keys(patch).length === 0) {
    await answer(call, `Limits here: ${describeLimits(ctx.moderation.policy.limits(guildId))}.`);
    return;
  }
  ctx.core.memory.moderation.updateGuildSettings(guildId, patch, interaction.user.id);
  audit(call, "limits.set", null, patch);
  await answer(call, `Limits changed: ${describeLimits(ctx.moderation.policy.limits(guildId))}.`);
}

async function moderation(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const choice = interaction.options.getString("provider", true);
  const provider = choice === DEFAULT_CHOICE ? undefined : (choice as ModerationProvider);
  ctx.core.memory.moderation.updateGuildSettings(guildId, { moderation: provider }, interaction.user.id);
  audit(call, "moderation.set", null, { provider: choice });
  const effective = ctx.moderation.policy.provider(guildId);
  const words = ctx.core.memory.moderation.blockedWords(guildId).length;
  await answer(call, `Content checks here: ${describeProvider(effective.provider)}${provider ? "" : " (the bot's default)"}, plus ${words} blocked word(s).`);
}

async function webhooks(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const choice = interaction.options.getString("use", true);
  const personaWebhooks = choice === DEFAULT_CHOICE ? undefined : choice === "on";
  ctx.core.memory.moderation.updateGuildSettings(guildId, { personaWebhooks }, interaction.user.id);
  audit(call, "webhooks.set", null, { use: choice });
  const on = ctx.moderation.policy.personaWebhooks(guildId);
  await answer(
    call,
    on
      ? `Personas now reply under their own name and avatar here${personaWebhooks === undefined ? " (the bot's default)" : ""}. Where I can't make a webhook (no Manage Webhooks, or the channel is full) I use normal messages.`
      : `Replies here are normal messages from me${personaWebhooks === undefined ? " (the bot's default)" : ""}.`,
  );
}

async function filterAdd(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const store = ctx.core.memory.moderation;
  let entry: string;
  try {
    entry = normalizeFilterEntry(interaction.options.getString("entry", true));
  } catch (error) {
    if (!(error instanceof InvalidFilterEntryError)) throw error;
    await answer(call, error.message);
    return;
  }
  if (store.blockedWords(guildId).length >= MAX_BLOCKED_WORDS) {
    await answer(call, `The list is full (${MAX_BLOCKED_WORDS} entries). Remove some with \`/masque filter remove\` first.`);
    return;
  }
  if (!store.addBlockedWord(guildId, entry, interaction.user.id)) {
    await answer(call, `“${entry}” is already on the list.`);
    return;
  }
  audit(call, "filter.add", null, { entry });
  await answer(call, `Blocked “${entry}”: messages to me that contain it get a refusal, and my replies that contain it are held back.`);
}

async function filterRemove(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const raw = interaction.options.getString("entry", true);
  let entry: string;
  try {
    entry = normalizeFilterEntry(raw);
  } catch {
    entry = raw; // not a valid entry, so certainly not on the list
  }
  if (!ctx.core.memory.moderation.removeBlockedWord(guildId, entry)) {
    await answer(call, `“${entry}” is not on the list. See \`/masque filter list\`.`);
    return;
  }
  audit(call, "filter.remove", null, { entry });
  await answer(call, `Unblocked “${entry}”.`);
}

async function filterList(call: AdminCall): Promise<void> {
  const words = call.ctx.core.memory.moderation.blockedWords(call.guildId);
  const lines = words.map((w) => `• ${w}`);
  await answer(call, words.length === 0 ? "No blocked words here." : fitLines(`**Blocked words** (${words.length} of ${MAX_BLOCKED_WORDS})`, lines, DISCORD_MESSAGE_LIMIT));
}

async function auditLog(call: AdminCall): Promise<void> {
  const limit = call.interaction.options.getInteger("limit") ?? DEFAULT_AUDIT_ENTRIES;
  const entries = call.ctx.core.memory.audit.latest(call.guildId, limit);
  await answer(call, entries.length === 0 ? "The audit log is empty." : fitLines("**Audit log**, newest first", auditLines(entries), DISCORD_MESSAGE_LIMIT));
}

async function logChannel(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const channelId = interaction.options.getChannel("channel")?.id;
  if (channelId && !(await isChannelOfServer(ctx, channelId, guildId))) {
    await answer(call, notThisServer(channelId));
    return;
  }
  if (channelId) {
    const target = ctx.client.channels.cache.get(channelId);
    const me = interaction.guild?.members.me;
    if (target && !target.isDMBased() && me && !me.permissionsIn(target).has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages])) {
      await answer(call, `I can't post in <#${channelId}>: I need View Channel and Send Messages there.`);
      return;
    }
  }
  ctx.core.memory.moderation.updateGuildSettings(guildId, { logChannelId: channelId }, interaction.user.id);
  audit(call, "log_channel.set", channelId ?? null);
  await answer(call, channelId ? `New audit entries will be posted in <#${channelId}>.` : "Audit entries are no longer posted in a channel.");
}

async function adminRole(call: AdminCall): Promise<void> {
  const { interaction, ctx, guildId } = call;
  const role = interaction.options.getRole("role", true);
  const store = ctx.core.memory.moderation;
  if (interaction.options.getString("action") === "remove") {
    if (!store.removeAdminRole(guildId, role.id)) {
      await answer(call, `<@&${role.id}> was not a Masque admin role.`);
      return;
    }
    audit(call, "admin_role.remove", role.id);
    await answer(call, `<@&${role.id}> is no longer a Masque admin role.`);
    return;
  }
  if (role.id === guildId) {
    await answer(call, "@everyone can't be an admin role: that would make everyone an admin.");
    return;
  }
  if (!store.addAdminRole(guildId, role.id, interaction.user.id)) {
    await answer(call, `<@&${role.id}> is already a Masque admin role.`);
    return;
  }
  audit(call, "admin_role.add", role.id);
  await answer(call, `Members of <@&${role.id}> can now use /masque and /persona set like admins.`);
}

/** Handlers by "group subcommand" (or just "subcommand"). */
const HANDLERS: Record<string, (call: AdminCall) => Promise<void>> = {
  channel,
  status,
  block,
  unblock,
  blocked,
  limits,
  moderation,
  webhooks,
  "filter add": filterAdd,
  "filter remove": filterRemove,
  "filter list": filterList,
  audit: auditLog,
  "log-channel": logChannel,
  "admin-role": adminRole,
};

/**
 * `/masque ...`: where the bot speaks, who it ignores, how much it answers, content
 * checks, and the audit log. Visible to Manage Server by default, and checked in code on
 * every call: a refusal changes and stores nothing.
 */
export const masqueCommand: SlashCommand = {
  data: data.toJSON(),
  async execute(interaction, ctx) {
    if (!interaction.inGuild() || !isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.moderation)) {
      ctx.core.log.info({ guild: interaction.guildId ?? "dm", user: interaction.user.id }, "refused /masque to a non-admin");
      await interaction.reply({ content: NOT_ADMIN, flags: MessageFlags.Ephemeral });
      return;
    }
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand();
    const handler = HANDLERS[group ? `${group} ${sub}` : sub];
    if (handler) await handler({ interaction, ctx, guildId: interaction.guildId });
  },
};

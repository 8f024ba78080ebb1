import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import type { ActivePersona, PersonaSource } from "../chat/active-persona.js";
import { recordReply } from "../chat/record.js";
import { conversationKey, conversationOf } from "../discord/conversation.js";
import type { BotContext } from "../discord/context.js";
import { SAFE_MENTIONS } from "../discord/mentions.js";
import type { PersonaScope } from "../memory/settings.js";
import type { ConversationRef } from "../memory/turns.js";
import { isServerAdmin } from "../moderation/permissions.js";
import type { Persona } from "../personas/persona.js";
import type { SlashCommand } from "./types.js";

/** Discord shows at most 25 autocomplete choices. */
export const MAX_AUTOCOMPLETE_CHOICES = 25;
/** A choice's label is at most 100 characters. */
const MAX_CHOICE_NAME = 100;
/** Keeps `/persona list` within one message. */
const MAX_LIST_CHARS = 1900;

const NOT_ADMIN = "Only server admins can change the persona: you need the Manage Server permission or a Masque admin role.";

const data = new SlashCommandBuilder()
  .setName("persona")
  .setDescription("See and switch the bot's persona")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
  .addSubcommand((sub) => sub.setName("list").setDescription("List the personas and which one is active here"))
  .addSubcommand((sub) => sub.setName("current").setDescription("Show the persona active here"))
  .addSubcommand((sub) =>
    sub
      .setName("info")
      .setDescription("Show a persona's details")
      .addStringOption((o) => o.setName("name").setDescription("The persona").setRequired(true).setAutocomplete(true)),
  )
  .addSubcommand((sub) =>
    sub
      .setName("set")
      .setDescription("Switch the persona (admins)")
      .addStringOption((o) => o.setName("name").setDescription("The persona").setRequired(true).setAutocomplete(true))
      .addStringOption((o) =>
        o
          .setName("scope")
          .setDescription("This channel (default) or the whole server")
          .addChoices({ name: "this channel", value: "channel" }, { name: "whole server", value: "server" }),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("reset")
      .setDescription("Remove a persona choice (admins)")
      .addStringOption((o) =>
        o
          .setName("scope")
          .setDescription("This channel (default) or the whole server")
          .addChoices({ name: "this channel", value: "channel" }, { name: "whole server", value: "server" }),
      ),
  );

/** How `/persona current` says where the active persona comes from. */
const SOURCE_TEXT: Record<PersonaSource, string> = {
  conversation: "chosen for this channel",
  parent: "inherited from the parent channel",
  server: "the server's default",
  default: "the bot's default",
};

/** The conversation an interaction happens in (a channel not cached yet is taken as a plain channel). */
function conversationHere(interaction: ChatInputCommandInteraction): ConversationRef {
  return interaction.channel ? conversationOf(interaction.channel) : { key: conversationKey(interaction.channelId), guildId: interaction.guildId };
}

function activeHere(ctx: BotContext, interaction: ChatInputCommandInteraction): ActivePersona {
  return ctx.core.engine.resolvePersona(conversationHere(interaction));
}

function activePersona(ctx: BotContext, interaction: ChatInputCommandInteraction): Persona {
  return activeHere(ctx, interaction).persona;
}

function describe(persona: Persona): string {
  const lines = [`**${persona.name}** (\`${persona.id}\`)`, persona.description];
  const settings = [
    persona.model && `model ${persona.model}`,
    persona.temperature !== undefined && `temperature ${persona.temperature}`,
    persona.topP !== undefined && `top_p ${persona.topP}`,
    persona.maxTokens !== undefined && `max ${persona.maxTokens} tokens`,
  ].filter(Boolean);
  if (settings.length > 0) lines.push(`Settings: ${settings.join(", ")}`);
  if (persona.tags.length > 0) lines.push(`Tags: ${persona.tags.join(", ")}`);
  if (persona.greeting) lines.push(`Greeting: “${persona.greeting}”`);
  return lines.join("\n");
}

async function list(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const active = activePersona(ctx, interaction);
  const personas = ctx.core.personas().list();
  let content = "**Personas**\n";
  let shown = 0;
  for (const p of personas) {
    const line = `${p.id === active.id ? "▶" : "•"} **${p.name}** (\`${p.id}\`) — ${p.description}${p.id === active.id ? " *(active here)*" : ""}\n`;
    if (content.length + line.length > MAX_LIST_CHARS) break;
    content += line;
    shown++;
  }
  if (shown < personas.length) content += `…and ${personas.length - shown} more. Use \`/persona info\` to look one up.`;
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

async function current(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const { persona, source } = activeHere(ctx, interaction);
  await interaction.reply({
    content: `Active here: **${persona.name}** (\`${persona.id}\`), ${SOURCE_TEXT[source]}.\n${persona.description}`,
    flags: MessageFlags.Ephemeral,
    allowedMentions: SAFE_MENTIONS,
  });
}

async function info(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const name = interaction.options.getString("name", true);
  const persona = ctx.core.personas().get(name);
  const content = persona ? describe(persona) : `There is no persona called “${name}”. Try \`/persona list\`.`;
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

/** Renames the bot in this server to the persona; a missing permission is logged, not fatal. */
async function adoptNickname(interaction: ChatInputCommandInteraction, ctx: BotContext, persona: Persona): Promise<void> {
  const me = interaction.guild?.members.me;
  if (!me) return;
  if (!me.permissions.has(PermissionFlagsBits.ChangeNickname)) {
    ctx.core.log.info({ guild: interaction.guildId }, "not changing the nickname: the bot lacks the Change Nickname permission");
    return;
  }
  try {
    await me.setNickname(persona.name, `Persona set by ${interaction.user.tag}`);
  } catch (error) {
    ctx.core.log.warn({ guild: interaction.guildId, err: (error as Error).message }, "could not change the nickname");
  }
}

/** Posts the persona's greeting here and remembers it as the persona's own words, as the engine records a reply. */
async function postGreeting(interaction: ChatInputCommandInteraction, ctx: BotContext, persona: Persona): Promise<void> {
  const channel = interaction.channel;
  if (!persona.greeting || !channel || !("send" in channel)) return;
  try {
    const message = await channel.send({ content: persona.greeting, allowedMentions: SAFE_MENTIONS });
    recordReply(ctx.core.memory.turns, { conversation: conversationOf(channel), persona, userTurns: [], text: persona.greeting, complete: true, messageIds: [message.id] });
  } catch (error) {
    ctx.core.log.warn({ channel: interaction.channelId, err: (error as Error).message }, "could not post the greeting");
  }
}

function scopeOf(interaction: ChatInputCommandInteraction): PersonaScope {
  return interaction.options.getString("scope") === "server" ? "server" : "channel";
}

async function set(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.moderation) || !interaction.guildId) {
    await interaction.reply({ content: NOT_ADMIN, flags: MessageFlags.Ephemeral });
    return;
  }
  const name = interaction.options.getString("name", true);
  const persona = ctx.core.personas().get(name);
  if (!persona) {
    await interaction.reply({ content: `There is no persona called “${name}”. Try \`/persona list\`.`, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
    return;
  }
  const scope = scopeOf(interaction);
  const { settings } = ctx.core.memory;
  if (scope === "server") settings.setGuildPersona(interaction.guildId, persona.id, interaction.user.id);
  else settings.setConversationPersona(conversationKey(interaction.channelId), persona.id, interaction.user.id);
  ctx.core.log.info({ guild: interaction.guildId, channel: interaction.channelId, by: interaction.user.id, persona: persona.id, scope }, "persona set");
  ctx.moderation.audit.record({ guildId: interaction.guildId, channelId: interaction.channelId, actorId: interaction.user.id, action: "persona.set", details: { persona: persona.id, scope } });

  const activeHere = activePersona(ctx, interaction).id === persona.id;
  const where = scope === "server" ? "the server's default persona" : "the persona in this channel";
  const note = activeHere ? "" : "\n(This channel has its own persona, so it keeps it; use `/persona reset` here to follow the server.)";
  await interaction.reply({ content: `**${persona.name}** is now ${where}.${note}`, allowedMentions: SAFE_MENTIONS });
  if (activeHere) await postGreeting(interaction, ctx, persona);
  await adoptNickname(interaction, ctx, persona);
}

async function reset(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!isServerAdmin(interaction, ctx.config.adminRoleIds, ctx.core.memory.moderation) || !interaction.guildId) {
    await interaction.reply({ content: NOT_ADMIN, flags: MessageFlags.Ephemeral });
    return;
  }
  const scope = scopeOf(interaction);
  const { settings } = ctx.core.memory;
  const removed =
    scope === "server" ? settings.clearGuildPersona(interaction.guildId) : settings.clearConversationPersona(conversationKey(interaction.channelId));
  ctx.core.log.info({ guild: interaction.guildId, channel: interaction.channelId, by: interaction.user.id, scope, removed }, "persona reset");
  if (removed) ctx.moderation.audit.record({ guildId: interaction.guildId, channelId: interaction.channelId, actorId: interaction.user.id, action: "persona.reset", details: { scope } });
  const persona = activePersona(ctx, interaction);
  const content = removed
    ? `Persona choice for ${scope === "server" ? "the server" : "this channel"} removed. Active here now: **${persona.name}**.`
    : `There was no persona choice for ${scope === "server" ? "the server" : "this channel"}. Active here: **${persona.name}**.`;
  await interaction.reply({ content, allowedMentions: SAFE_MENTIONS });
  if (removed) await adoptNickname(interaction, ctx, persona);
}

const SUBCOMMANDS: Record<string, (interaction: ChatInputCommandInteraction, ctx: BotContext) => Promise<void>> = {
  list,
  current,
  info,
  set,
  reset,
};

/** Suggests personas whose id or name contains what was typed. */
async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const choices = ctx.core
    .personas()
    .list()
    .filter((p) => p.id.includes(typed) || p.name.toLowerCase().includes(typed))
    .slice(0, MAX_AUTOCOMPLETE_CHOICES)
    .map((p) => ({ name: `${p.name} (${p.id})`.slice(0, MAX_CHOICE_NAME), value: p.id }));
  await interaction.respond(choices);
}

/**
 * `/persona list|current|info|set|reset`. List, current and info are for everyone, so
 * the command cannot carry `default_member_permissions` (Discord sets it per command,
 * not per subcommand); set and reset check admin rights in code on every call.
 */
export const personaCommand: SlashCommand = {
  data: data.toJSON(),
  async execute(interaction, ctx) {
    const handler = SUBCOMMANDS[interaction.options.getSubcommand()];
    if (handler) await handler(interaction, ctx);
  },
  autocomplete,
};

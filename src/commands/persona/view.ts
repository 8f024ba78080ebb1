import { type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import { placeOf } from "../../discord/conversation.js";
import { greetingsOf, renderGreeting } from "../../personas/greetings.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { notesIn, type Persona } from "../../personas/persona.js";
import { CAST_TEXTS, PERSONA_TEXTS } from "../../texts.js";
import type { Subcommand } from "../types.js";
import { activeHere, conversationHere, withPersonaName } from "./here.js";

/** Keeps `/persona list` within one message. */
const MAX_LIST_CHARS = 1900;

/** `/persona info` is one message; a long greeting or long notes are cut to fit it. */
const MAX_INFO_CHARS = 1900;
/** What a cut greeting or note keeps at least, so it still reads as a sample. */
const MIN_CUT_CHARS = 80;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(max - 1, 0)).trimEnd()}…` : text;
}

/** A persona's details, its credit and notes, and its first greeting as the asker would see it. */
function describe(persona: Persona, interaction: ChatInputCommandInteraction): string {
  const lines = [`**${persona.name}** (\`${persona.id}\`)`, persona.description];
  const credit = PERSONA_TEXTS.credit(persona.creator, persona.characterVersion);
  if (credit) lines.push(credit);
  const settings = [
    persona.model && `model ${persona.model}`,
    persona.temperature !== undefined && `temperature ${persona.temperature}`,
    persona.topP !== undefined && `top_p ${persona.topP}`,
    persona.maxTokens !== undefined && `max ${persona.maxTokens} tokens`,
  ].filter(Boolean);
  if (settings.length > 0) lines.push(PERSONA_TEXTS.settings(settings.join(", ")));
  if (persona.tags.length > 0) lines.push(PERSONA_TEXTS.tags(persona.tags.join(", ")));
  const greetings = greetingsOf(persona);
  const [first] = greetings;
  const place = interaction.channel
    ? placeOf(interaction.channel)
    : { server: "Direct Messages", channel: "direct-message" };
  const greeting =
    first && renderGreeting(persona, first, { user: interaction.user.displayName, ...place, date: new Date() });
  // Notes and greeting share what the other lines leave of one message.
  const room = Math.max(MAX_INFO_CHARS - lines.join("\n").length, 2 * MIN_CUT_CHARS) / 2;
  // A V3 card's notes in the server's language, when it has them (creator_notes_multilingual).
  const notes = notesIn(persona, interaction.guildLocale ?? interaction.locale);
  if (notes) lines.push(PERSONA_TEXTS.notes(cut(notes, room)));
  if (greeting) lines.push(PERSONA_TEXTS.greeting(cut(greeting, room), greetings.length));
  return lines.join("\n");
}

/** The cast in one line, the lead first. */
export function castLine(members: readonly Persona[]): string {
  const [lead, ...others] = members;
  return CAST_TEXTS.line(
    lead?.name ?? "",
    others.map((p) => p.name),
  );
}

export const list: Subcommand = {
  name: "list",
  define: (sub) => sub.setDescription("List the personas and which one is active here"),
  async run(interaction, ctx) {
    const active = activeHere(ctx, interaction).persona;
    const cast = new Set(ctx.core.engine.cast(conversationHere(interaction)).members.map((p) => p.id));
    const personas = ctx.core.personas().list();
    let content = PERSONA_TEXTS.listHeading;
    let shown = 0;
    for (const p of personas) {
      const isActive = p.id === active.id;
      const mark = isActive ? PERSONA_TEXTS.activeHere : cast.has(p.id) ? CAST_TEXTS.inCast : "";
      const line = `${isActive ? "▶" : "•"} **${p.name}** (\`${p.id}\`) — ${p.description}${mark}\n`;
      if (content.length + line.length > MAX_LIST_CHARS) break;
      content += line;
      shown++;
    }
    if (shown < personas.length) content += PERSONA_TEXTS.listMore(personas.length - shown);
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
  },
};

export const current: Subcommand = {
  name: "current",
  define: (sub) => sub.setDescription("Show the persona active here, and the cast beside it"),
  async run(interaction, ctx) {
    const { persona, source } = activeHere(ctx, interaction);
    const { members } = ctx.core.engine.cast(conversationHere(interaction));
    const current = PERSONA_TEXTS.current(persona.name, persona.id, PERSONA_TEXTS.source[source], persona.description);
    const content = members.length > 1 ? `${current}\n${castLine(members)}` : current;
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
  },
};

export const info: Subcommand = {
  name: "info",
  define: (sub) => withPersonaName(sub.setDescription("Show a persona's details")),
  async run(interaction, ctx) {
    const name = interaction.options.getString("name", true);
    const persona = ctx.core.personas().get(name);
    const content = persona ? describe(persona, interaction) : PERSONA_TEXTS.noSuchPersona(name);
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
  },
};

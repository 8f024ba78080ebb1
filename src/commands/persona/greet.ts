import { type ChatInputCommandInteraction, MessageFlags, type TextBasedChannel } from "discord.js";
import { recordReply } from "../../chat/journal.js";
import type { BotContext } from "../../discord/context.js";
import { conversationOf, placeOf } from "../../discord/conversation.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { splitMessage } from "../../discord/split.js";
import { greetingsOf, pickGreeting, renderGreeting } from "../../personas/greetings.js";
import type { Persona } from "../../personas/persona.js";
import { PERSONA_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { activeHere } from "./here.js";

/** The display name of the person who ran the command, as their messages show it. */
export function askerName(interaction: ChatInputCommandInteraction): string {
  return interaction.inCachedGuild() ? interaction.member.displayName : interaction.user.displayName;
}

/**
 * Posts a greeting of the persona here — number `chosen`, or one picked at random — with
 * {{user}} as the person who asked, in as many messages as it takes, and records what was
 * posted as the persona's own words, the way the engine records a reply.
 */
export async function postGreeting(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  persona: Persona,
  chosen?: number,
): Promise<void> {
  if (interaction.channel)
    await postGreetingIn(interaction.channel, ctx, persona, { user: askerName(interaction), chosen });
}

/** Posts and records a greeting of the persona in `channel` (a thread /chat opened, say); false when none was posted. */
export async function postGreetingIn(
  channel: TextBasedChannel,
  ctx: BotContext,
  persona: Persona,
  options: { user: string; chosen?: number },
): Promise<boolean> {
  const inCast = ctx.core.engine.cast(conversationOf(channel)).members.length > 1;
  const greeting = pickGreeting(persona, { chosen: options.chosen, inCast });
  if (!greeting || !("send" in channel)) return false;
  const text = renderGreeting(persona, greeting.text, { user: options.user, ...placeOf(channel), date: new Date() });
  const pieces = splitMessage(text);
  const messageIds: string[] = [];
  try {
    for (const piece of pieces)
      messageIds.push((await channel.send({ content: piece, allowedMentions: SAFE_MENTIONS })).id);
  } catch (error) {
    ctx.core.log.warn({ channel: channel.id, err: (error as Error).message }, "could not post the greeting");
  }
  if (messageIds.length === 0) return false;
  const complete = messageIds.length === pieces.length;
  const shown = complete ? text : pieces.slice(0, messageIds.length).join("\n");
  recordReply(ctx.core.memory.turns, {
    conversation: conversationOf(channel),
    persona,
    userTurns: [],
    text: shown,
    complete,
    messageIds,
  });
  return true;
}

/** Refuses a greeting number the persona does not have; true when it did. */
export async function refuseGreetingNumber(
  interaction: ChatInputCommandInteraction,
  persona: Persona,
  chosen: number | null,
): Promise<boolean> {
  if (chosen === null || pickGreeting(persona, { chosen })) return false;
  await interaction.reply({
    content: PERSONA_TEXTS.noSuchGreeting(persona.name, greetingsOf(persona).length),
    flags: MessageFlags.Ephemeral,
    allowedMentions: SAFE_MENTIONS,
  });
  return true;
}

export const greet: Subcommand = {
  name: "greet",
  define: (sub) =>
    sub
      .setDescription("Post another greeting of the persona active here (admins)")
      .addIntegerOption((o) =>
        o.setName("greeting").setDescription("Which greeting (1 = the first); a random one if left out").setMinValue(1),
      ),
  run: adminOnly(async ({ interaction, ctx }) => {
    const { persona } = activeHere(ctx, interaction);
    const chosen = interaction.options.getInteger("greeting");
    const count = greetingsOf(persona).length;
    if (count === 0) {
      await interaction.reply({
        content: PERSONA_TEXTS.noGreeting(persona.name),
        flags: MessageFlags.Ephemeral,
        allowedMentions: SAFE_MENTIONS,
      });
      return;
    }
    if (await refuseGreetingNumber(interaction, persona, chosen)) return;
    await interaction.reply({
      content: PERSONA_TEXTS.greetingPosted(persona.name),
      flags: MessageFlags.Ephemeral,
      allowedMentions: SAFE_MENTIONS,
    });
    await postGreeting(interaction, ctx, persona, chosen ?? undefined);
  }),
};

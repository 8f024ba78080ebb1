import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  MessageFlags,
} from "discord.js";
import { recallAudience } from "../../discord/audience.js";
import type { BotContext } from "../../discord/context.js";
import { conversationKey } from "../../discord/conversation.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { NOTE_TEXTS } from "../../texts.js";
import type { Subcommand } from "../types.js";
import { COMMAND } from "./erase.js";

/** Button custom ids: `memory:note:<note id>:<issued at>` deletes one, `memory:notes:<user id>:<issued at>` all. */
const DELETE_ONE = "note";
const DELETE_ALL = "notes";
const ON = "on";
const OFF = "off";
/** Discord's limits: five buttons a row, five rows a message. */
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;

/** Whether a `memory:` button is one of `/memory me`'s. */
export const isNoteButton = (action: string | undefined) => action === DELETE_ONE || action === DELETE_ALL;

type Asked = ChatInputCommandInteraction | ButtonInteraction;

/**
 * The person's notes here, as `/memory me` shows them: those drawn from this conversation,
 * and from others only where their words may be shown here (the recall rule, for this
 * person); the rest are counted, not shown. A button deletes each, and one deletes all.
 */
function notesView(
  interaction: Asked,
  ctx: BotContext,
  lead?: string,
): Pick<InteractionReplyOptions, "content" | "components"> {
  const { personNotes } = ctx.core.memory;
  const { guildId, channelId, user } = interaction;
  const here = conversationKey(channelId ?? "");
  const audience = interaction.channel ? recallAudience(interaction.channel, [user.id]) : undefined;
  const all = personNotes.of(guildId, user.id);
  const shown = all.filter((n) => n.sourceKey === here || audience?.canRead(n.sourceKey) === true);
  const keeps = personNotes.keeps(guildId, user.id);
  const lines = [
    ...(lead ? [lead] : []),
    NOTE_TEXTS.heading,
    NOTE_TEXTS.state(keeps, guildId === null, guildId !== null && personNotes.serverKeeps(guildId)),
  ];
  lines.push(...(shown.length === 0 ? [NOTE_TEXTS.none] : shown.map((n, i) => NOTE_TEXTS.line(i + 1, n.content))));
  if (all.length > shown.length) lines.push(NOTE_TEXTS.elsewhere(all.length - shown.length));
  const issuedAt = Date.now();
  const buttons = shown.slice(0, BUTTONS_PER_ROW * MAX_ROWS - 1).map((n, i) =>
    new ButtonBuilder()
      .setCustomId(`${COMMAND}:${DELETE_ONE}:${n.id}:${issuedAt}`)
      .setLabel(NOTE_TEXTS.deleteOne(i + 1))
      .setStyle(ButtonStyle.Secondary),
  );
  if (all.length > 0)
    buttons.push(
      new ButtonBuilder()
        .setCustomId(`${COMMAND}:${DELETE_ALL}:${user.id}:${issuedAt}`)
        .setLabel(NOTE_TEXTS.deleteAll)
        .setStyle(ButtonStyle.Danger),
    );
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW)
    rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.slice(i, i + BUTTONS_PER_ROW)));
  return { content: lines.join("\n"), components: rows };
}

/** `/memory me [notes:on|off]`: the notes kept about you here, to see and delete, or your choice about them. */
export const me: Subcommand = {
  name: "me",
  define: (sub) =>
    sub
      .setDescription("See, delete or stop the notes I keep about you here (only you see it)")
      .addStringOption((o) =>
        o
          .setName("notes")
          .setDescription("Whether I keep notes about you here")
          .addChoices({ name: ON, value: ON }, { name: OFF, value: OFF }),
      ),
  async run(interaction, ctx) {
    const { personNotes } = ctx.core.memory;
    const { guildId, user } = interaction;
    const choice = interaction.options.getString("notes");
    let content: string | undefined;
    if (choice === OFF) {
      personNotes.setChoice(guildId, user.id, false);
      content = NOTE_TEXTS.turnedOff(personNotes.deleteAll(guildId, user.id));
    } else if (choice === ON) {
      personNotes.setChoice(guildId, user.id, true);
      content = NOTE_TEXTS.turnedOn(personNotes.keeps(guildId, user.id));
    }
    if (content !== undefined)
      ctx.core.log.info({ guild: guildId, user: user.id, notes: choice }, "a person changed notes about them");
    const reply = content === undefined ? notesView(interaction, ctx) : { content };
    await interaction.reply({ ...reply, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
  },
};

/** A click on `/memory me`'s buttons (its expiry is checked by the command's button handler): only the clicker's own notes go. */
export async function noteButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [, action, target = ""] = interaction.customId.split(":");
  const { personNotes } = ctx.core.memory;
  const { user, guildId } = interaction;
  if (action === DELETE_ALL) {
    if (target !== user.id) {
      await interaction.reply({ content: NOTE_TEXTS.notYours, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.update({
      content: NOTE_TEXTS.deletedAll(personNotes.deleteAll(guildId, user.id)),
      components: [],
      allowedMentions: SAFE_MENTIONS,
    });
    return;
  }
  const deleted = personNotes.deleteOne(user.id, Number(target));
  await interaction.update({
    ...notesView(interaction, ctx, deleted ? NOTE_TEXTS.deletedOne : NOTE_TEXTS.alreadyGone),
    allowedMentions: SAFE_MENTIONS,
  });
}

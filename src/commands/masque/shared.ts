import { ChannelType, MessageFlags } from "discord.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import type { AuditAction, AuditDetails } from "../../memory/audit.js";
import type { GuildModeration } from "../../memory/guild-settings.js";
import { type AdminCall, adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";

/** The "default" choice of `/masque channel`, `moderation` and `webhooks`: drop the server's setting. */
export const DEFAULT_CHOICE = "default";

/** Channels `/masque` settings can name. */
export const TEXT_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
] as const;

const ON = "on";
const OFF = "off";

/** The server's on/off switches that `/masque <name> state:on|off` sets alike. */
type GuildSwitch = "threadsOnMention" | "personNotes";

/**
 * `/masque <name> state:on|off`: sets one of the server's switches for its admins, writes
 * `action` with `{ on }` to the audit log and answers with `says(on)`.
 */
export function switchSubcommand(spec: {
  name: string;
  description: string;
  setting: GuildSwitch;
  action: AuditAction;
  says: (on: boolean) => string;
}): Subcommand {
  return {
    name: spec.name,
    define: (sub) =>
      sub
        .setDescription(spec.description)
        .addStringOption((o) =>
          o
            .setName("state")
            .setDescription("on or off")
            .setRequired(true)
            .addChoices({ name: ON, value: ON }, { name: OFF, value: OFF }),
        ),
    run: adminOnly(async (call) => {
      const { interaction, ctx, guildId } = call;
      const on = interaction.options.getString("state", true) === ON;
      const patch: Partial<GuildModeration> = { [spec.setting]: on };
      ctx.core.memory.serverSettings.guild.update(guildId, patch, interaction.user.id);
      audit(call, spec.action, null, { on });
      await answer(call, spec.says(on));
    }),
  };
}

/** Answers privately; every /masque answer is for the admin alone. */
export async function answer(call: AdminCall, content: string): Promise<void> {
  await call.interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: SAFE_MENTIONS });
}

/** Writes the admin's action to the audit log (and the server's log channel). */
export function audit(call: AdminCall, action: AuditAction, targetId: string | null, details: AuditDetails = {}): void {
  const { interaction, ctx, guildId } = call;
  ctx.moderation.audit.record({
    guildId,
    channelId: interaction.channelId,
    actorId: interaction.user.id,
    action,
    targetId,
    details,
  });
}

/**
 * Joins a header and lines into one message of at most `maxChars`, dropping the lines
 * that do not fit and saying how many were left out.
 */
export function fitLines(header: string, lines: readonly string[], maxChars: number): string {
  let content = header;
  let shown = 0;
  for (const line of lines) {
    const omittedNote = `\n…and ${lines.length - shown - 1} more.`;
    if (content.length + 1 + line.length + omittedNote.length > maxChars) break;
    content += `\n${line}`;
    shown++;
  }
  if (shown < lines.length) content += `\n…and ${lines.length - shown} more.`;
  return content;
}

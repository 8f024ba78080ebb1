import { ChannelType, MessageFlags } from "discord.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import type { AuditAction, AuditDetails } from "../../memory/audit.js";
import type { AdminCall } from "../preconditions.js";

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

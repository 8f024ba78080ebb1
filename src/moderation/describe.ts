import type { AuditEntry } from "../memory/audit.js";
import type { BlockedUser, ChannelMode, ModerationProvider } from "../memory/server-settings.js";
import { describeAuditEntry } from "./audit.js";
import type { Limits, ModeSource } from "./policy.js";

const MS_PER_SECOND = 1000;

/** What a mode means, in a sentence an admin reads after "here, ". */
export function describeMode(mode: ChannelMode, autoGapSeconds: number): string {
  if (mode === "off") return "I ignore every message, mentions included";
  if (mode === "mention") return "I answer mentions and replies to my messages";
  return autoGapSeconds > 0 ? `I answer every message, with at least ${autoGapSeconds} s between my replies` : "I answer every message";
}

export function describeModeSource(source: ModeSource): string {
  if (source === "channel") return "set for this channel";
  if (source === "parent") return "inherited from the parent channel";
  return "the default";
}

export function describeLimits(limits: Limits): string {
  const gap = limits.autoGapSeconds > 0 ? `at least ${limits.autoGapSeconds} s between my replies` : "no gap between my replies";
  return `each person gets ${limits.rateMessages} message(s) per ${limits.rateWindowSeconds} s; in \`auto\` channels ${gap}`;
}

export function describeProvider(provider: ModerationProvider): string {
  return provider === "openai" ? "**openai** (the model provider's moderation endpoint)" : "**off**";
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

export function blockedLines(users: readonly BlockedUser[]): string[] {
  return users.map((u) => {
    const reason = u.reason ? `, reason “${u.reason}”` : "";
    return `• <@${u.userId}> — by <@${u.blockedBy}> <t:${Math.floor(u.blockedAt / MS_PER_SECOND)}:R>${reason}`;
  });
}

export function auditLines(entries: readonly AuditEntry[]): string[] {
  return entries.map(describeAuditEntry);
}

/** Everything `/masque status` shows, gathered by the command. */
export interface StatusFacts {
  readonly channelModes: ReadonlyArray<{ channelId: string; mode: ChannelMode }>;
  readonly personaWebhooks: boolean;
  readonly personaWebhooksIsServerChoice: boolean;
  readonly limits: Limits;
  readonly provider: ModerationProvider;
  readonly providerIsServerChoice: boolean;
  readonly blockedWords: number;
  readonly blockedUsers: number;
  readonly adminRoles: readonly string[];
  readonly configuredAdminRoles: readonly string[];
  readonly logChannelId: string | undefined;
  readonly modelCalls: { readonly active: number; readonly max: number; readonly waiting: number; readonly maxWaiting: number };
}

/** `/masque status`: the server's settings at a glance. */
export function describeStatus(facts: StatusFacts): string[] {
  const modes = facts.channelModes.map((c) => `<#${c.channelId}> \`${c.mode}\``);
  const roles = [...facts.configuredAdminRoles.map((id) => `<@&${id}> (ADMIN_ROLE_IDS)`), ...facts.adminRoles.map((id) => `<@&${id}>`)];
  const calls = facts.modelCalls;
  return [
    `**Channels:** \`mention\` unless set${modes.length > 0 ? `; ${modes.join(", ")}` : ""} (threads follow their channel)`,
    `**Limits:** ${describeLimits(facts.limits)}`,
    `**Content checks:** moderation \`${facts.provider}\` (${facts.providerIsServerChoice ? "server setting" : "bot default"}); ${facts.blockedWords} blocked word(s)`,
    `**Blocked people:** ${facts.blockedUsers}`,
    `**Admins:** Manage Server${roles.length > 0 ? `, ${roles.join(", ")}` : ""}`,
    `**Log channel:** ${facts.logChannelId ? `<#${facts.logChannelId}>` : "none"}`,
    `**Persona webhooks:** ${facts.personaWebhooks ? "on" : "off"} (${facts.personaWebhooksIsServerChoice ? "server setting" : "bot default"})`,
    `**Model calls now:** ${calls.active} of ${calls.max} running, ${calls.waiting} of ${calls.maxWaiting} waiting`,
  ];
}

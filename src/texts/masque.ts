/**
 * Texts of `/masque` and the audit log, part of src/texts.ts (which re-exports them: import
 * them from there). In a file of their own only so src/texts.ts stays under the 300-line limit.
 */
import type { AuditAction } from "../memory/audit.js";
import type { BlockedUser } from "../memory/blocked-users.js";
import type { ChannelMode } from "../memory/channel-modes.js";
import type { ModerationProvider } from "../memory/guild-settings.js";
import type { Limits, ModeSource } from "../moderation/policy.js";
import { NOTE_TEXTS } from "./notes.js";

const MS_PER_SECOND = 1000;

/** Answers of `/masque`; the settings descriptions are in moderation/describe.ts. */
export const MASQUE_TEXTS = {
  statusHeading: "**Masque in this server**",
  channelMode: (channelId: string, mode: string, source: string, meaning: string) =>
    `<#${channelId}> is now \`${mode}\` (${source}): ${meaning}.`,
  alreadyBlocked: (userId: string) => `<@${userId}> was already blocked.`,
  blocked: (userId: string) =>
    `<@${userId}> is blocked: I ignore their messages in this server and store none of them.`,
  notBlocked: (userId: string) => `<@${userId}> was not blocked.`,
  unblocked: (userId: string) => `<@${userId}> is unblocked: I answer them again.`,
  nobodyBlocked: "Nobody is blocked here.",
  blockedHeading: "**Blocked here**",
  limitsHere: (limits: string) => `Limits here: ${limits}.`,
  limitsChanged: (limits: string) => `Limits changed: ${limits}.`,
  contentChecks: (provider: string, isDefault: boolean, words: number) =>
    `Content checks here: ${provider}${isDefault ? " (the bot's default)" : ""}, plus ${words} blocked word(s).`,
  webhooks: (on: boolean, isDefault: boolean) =>
    on
      ? `Personas now reply under their own name and avatar here${isDefault ? " (the bot's default)" : ""}. Where I can't make a webhook (no Manage Webhooks, or the channel is full) I use normal messages.`
      : `Replies here are normal messages from me${isDefault ? " (the bot's default)" : ""}.`,
  filterEntryTooLong: (max: number) => `An entry can be at most ${max} characters long.`,
  filterEntryTooVague: (min: number) => `An entry needs at least ${min} letters or digits besides \`*\`.`,
  filterFull: (max: number) => `The list is full (${max} entries). Remove some with \`/masque filter remove\` first.`,
  filterAlready: (entry: string) => `“${entry}” is already on the list.`,
  filterAdded: (entry: string) =>
    `Blocked “${entry}”: messages to me that contain it get a refusal, and my replies that contain it are held back.`,
  filterMissing: (entry: string) => `“${entry}” is not on the list. See \`/masque filter list\`.`,
  filterRemoved: (entry: string) => `Unblocked “${entry}”.`,
  filterEmpty: "No blocked words here.",
  filterHeading: (count: number, max: number) => `**Blocked words** (${count} of ${max})`,
  auditEmpty: "The audit log is empty.",
  auditHeading: "**Audit log**, newest first",
  notThisServer: (channelId: string) => `<#${channelId}> is not a channel of this server; nothing was changed.`,
  cannotPostIn: (channelId: string) => `I can't post in <#${channelId}>: I need View Channel and Send Messages there.`,
  logChannelSet: (channelId: string | undefined) =>
    channelId
      ? `New audit entries will be posted in <#${channelId}>.`
      : "Audit entries are no longer posted in a channel.",
  notAdminRole: (roleId: string) => `<@&${roleId}> was not a Masque admin role.`,
  adminRoleRemoved: (roleId: string) => `<@&${roleId}> is no longer a Masque admin role.`,
  everyoneCannotBeAdmin: "@everyone can't be an admin role: that would make everyone an admin.",
  alreadyAdminRole: (roleId: string) => `<@&${roleId}> is already a Masque admin role.`,
  adminRoleAdded: (roleId: string) => `Members of <@&${roleId}> can now use /masque and /persona set like admins.`,
} as const;

/** What a mode means, in a sentence an admin reads after "here, ". */
export function describeMode(mode: ChannelMode, autoGapSeconds: number): string {
  if (mode === "off") return "I ignore every message, mentions included";
  if (mode === "mention") return "I answer mentions and replies to my messages";
  return autoGapSeconds > 0
    ? `I answer every message, with at least ${autoGapSeconds} s between my replies`
    : "I answer every message";
}

export function describeModeSource(source: ModeSource): string {
  if (source === "channel") return "set for this channel";
  if (source === "parent") return "inherited from the parent channel";
  return "the default";
}

export function describeLimits(limits: Limits): string {
  const gap =
    limits.autoGapSeconds > 0 ? `at least ${limits.autoGapSeconds} s between my replies` : "no gap between my replies";
  return `each person gets ${limits.rateMessages} message(s) per ${limits.rateWindowSeconds} s; in \`auto\` channels ${gap}`;
}

export function describeProvider(provider: ModerationProvider): string {
  return provider === "openai" ? "**openai** (the model provider's moderation endpoint)" : "**off**";
}

/** `/masque blocked`: one line per blocked person. */
export function blockedLines(users: readonly BlockedUser[]): string[] {
  return users.map((u) => {
    const reason = u.reason ? `, reason “${u.reason}”` : "";
    return `• <@${u.userId}> — by <@${u.blockedBy}> <t:${Math.floor(u.blockedAt / MS_PER_SECOND)}:R>${reason}`;
  });
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
  readonly ensemble: { readonly scenes: boolean; readonly threadsOnMention: boolean; readonly allowedBots: number };
  readonly personNotes: boolean;
  readonly modelCalls: {
    readonly active: number;
    readonly max: number;
    readonly waiting: number;
    readonly maxWaiting: number;
  };
}

/** `/masque status`: the server's settings at a glance. */
export function describeStatus(facts: StatusFacts): string[] {
  const modes = facts.channelModes.map((c) => `<#${c.channelId}> \`${c.mode}\``);
  const roles = [
    ...facts.configuredAdminRoles.map((id) => `<@&${id}> (ADMIN_ROLE_IDS)`),
    ...facts.adminRoles.map((id) => `<@&${id}>`),
  ];
  const calls = facts.modelCalls;
  return [
    `**Channels:** \`mention\` unless set${modes.length > 0 ? `; ${modes.join(", ")}` : ""} (threads follow their channel)`,
    `**Limits:** ${describeLimits(facts.limits)}`,
    `**Content checks:** moderation \`${facts.provider}\` (${facts.providerIsServerChoice ? "server setting" : "bot default"}); ${facts.blockedWords} blocked word(s)`,
    `**Blocked people:** ${facts.blockedUsers}`,
    `**Admins:** Manage Server${roles.length > 0 ? `, ${roles.join(", ")}` : ""}`,
    `**Log channel:** ${facts.logChannelId ? `<#${facts.logChannelId}>` : "none"}`,
    `**Persona webhooks:** ${facts.personaWebhooks ? "on" : "off"} (${facts.personaWebhooksIsServerChoice ? "server setting" : "bot default"})`,
    `**Ensemble:** scenes ${facts.ensemble.scenes ? "on" : "off"}; a mention ${facts.ensemble.threadsOnMention ? "opens a thread" : "is answered in its channel"}; ${facts.ensemble.allowedBots} other bot(s) allowed`,
    NOTE_TEXTS.statusLine(facts.personNotes),
    `**Model calls now:** ${calls.active} of ${calls.max} running, ${calls.waiting} of ${calls.maxWaiting} waiting`,
  ];
}

/** How each audit action reads in a sentence after the actor (`<@admin> blocked <@someone>`). */
export const AUDIT_PHRASES: Record<AuditAction, string> = {
  "persona.set": "set the persona",
  "persona.reset": "reset the persona",
  "cast.add": "added a persona to the cast",
  "cast.remove": "removed a persona from the cast",
  "persona.removed": "saw a persona file removed; its channels fall back to the server's default",
  "webhooks.set": "changed persona webhooks",
  "memory.clear": "cleared the memory",
  "recall.set": "changed server-wide recall",
  "channel.mode": "changed the mode of",
  "user.block": "blocked",
  "user.unblock": "unblocked",
  "limits.set": "changed the limits",
  "moderation.set": "changed content moderation",
  "filter.add": "added a blocked word",
  "filter.remove": "removed a blocked word",
  "log_channel.set": "changed the log channel to",
  "admin_role.add": "added the admin role",
  "admin_role.remove": "removed the admin role",
  "scenes.set": "changed whether scenes may run",
  "scene.start": "started a scene",
  "scene.stop": "stopped a scene",
  "input.flagged": "sent a message the content checks refused",
  "output.withheld": "got a reply that was withheld by the content checks",
  "user.rate_limited": "hit the rate limit",
  "bot.busy": "was turned away because the bot was busy",
  "model.refused": "could not use its model",
  "thread.open": "opened a thread",
  "threads.set": "changed threads on mention",
  "bot.allow": "allowed the bot",
  "bot.deny": "stopped allowing the bot",
  "notes.set": "changed people notes",
};

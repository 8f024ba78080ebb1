/**
 * Every text people read on Discord, in one place, so the wording stays consistent and
 * can be translated. Texts that take values are functions. (The terminal chat's texts
 * live with it, in cli/chat-texts.ts; a model error's own sentence is its `userMessage`.)
 */
import type { AuditAction } from "./memory/audit.js";
import { NOTE_TEXTS } from "./texts/notes.js";
import type { BlockedUser } from "./memory/blocked-users.js";
import type { ChannelMode } from "./memory/channel-modes.js";
import type { ModerationProvider } from "./memory/guild-settings.js";
import type { Limits, ModeSource } from "./moderation/policy.js";

const MS_PER_SECOND = 1000;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
const scopeName = (scope: "channel" | "server") => (scope === "server" ? "the server" : "this channel");

/** Why the bot will not answer a message, in plain words. */
export const NOTICES = {
  busy: "I'm answering a lot of people right now and can't take this one. Please try again in a minute.",
  inputRefused: "I can't respond to that: it goes against this server's content rules.",
  outputWithheld: "I wrote a reply but held it back: it didn't pass this server's content checks.",
  checksUnavailable: "I can't check messages against this server's content rules right now, so I'm not answering. Please try again later.",
} as const;

/** Notes shown under (or instead of) a reply that did not complete. */
export const REPLY_NOTES = {
  unexpected: "Something went wrong on my side while answering. Please try again.",
  restarting: "I was interrupted because I'm restarting. Ask me again in a moment.",
  /** Added at the next start under a reply the bot's last stop (a crash, a kill) cut short. */
  cutByRestart: "cut short: I was restarted while writing this",
  /** Added under a reply whose final text Discord did not take. */
  cutByDiscord: "cut short: Discord did not take the rest of this reply",
  tooLong: (tokens: number, limit: number) =>
    `Your message is too long for me to read in one go (about ${tokens} tokens; ${limit} fit). Please shorten it or split it up.`,
  /** Under a reply cut short, by why it was cut. */
  cut: {
    length: "cut off: I reached the length limit for one reply",
    deadline: "cut off: I ran out of time for one reply",
    messages: "cut off: that's as many messages as I post for one reply",
  },
} as const;

/** The model's thinking, shown on request (a persona's show_reasoning). */
export const REASONING_TEXTS = {
  spoilerHeading: "Reasoning:",
  fileNote: "My reasoning for that reply:",
  fileName: "reasoning.txt",
} as const;

/**
 * For the admins (the log, the audit log channel): a model setting only they can fix.
 * The people talking to the bot get the error's own short userMessage, once per conversation.
 */
export const MODEL_FIXES = {
  auth: "The model provider refused the API key. Set a valid OPENAI_API_KEY for OPENAI_BASE_URL in .env, then restart.",
  model: (model: string) =>
    `The model provider does not know the model "${model}". Set DEFAULT_MODEL (or the persona's model:) to a model it serves, and check that OPENAI_BASE_URL ends in /v1.`,
} as const;

/** The short apology for a command that failed unexpectedly. */
export const COMMAND_APOLOGY = "Sorry, something went wrong on my side. The admins can find the details in the bot's log.";

/** The one refusal for an admin action, from the adminOnly precondition; `hint` adds what the person can do instead. */
export function notAdmin(hint?: string): string {
  const base = "Only server admins can do that: you need the Manage Server permission or a Masque admin role.";
  return hint ? `${base} ${hint}` : base;
}

export const PERSONA_TEXTS = {
  noSuchPersona: (name: string) => `There is no persona called “${name}”. Try \`/persona list\`.`,
  listHeading: "**Personas**\n",
  listMore: (more: number) => `…and ${more} more. Use \`/persona info\` to look one up.`,
  activeHere: " *(active here)*",
  source: {
    conversation: "chosen for this channel",
    parent: "inherited from the parent channel",
    server: "the server's default",
    default: "the bot's default",
  },
  current: (name: string, id: string, source: string, description: string) => `Active here: **${name}** (\`${id}\`), ${source}.\n${description}`,
  settings: (list: string) => `Settings: ${list}`,
  tags: (list: string) => `Tags: ${list}`,
  greeting: (greeting: string, count: number) => `Greeting${count > 1 ? ` (1 of ${count}; \`/persona greet\` posts another)` : ""}: “${greeting}”`,
  credit: (creator: string | undefined, version: string | undefined) => [creator && `By ${creator}`, version && `version ${version}`].filter(Boolean).join(", "),
  notes: (notes: string) => `Notes: ${notes}`,
  noGreeting: (name: string) => `**${name}** has no greeting.`,
  noSuchGreeting: (name: string, count: number) =>
    count === 0 ? `**${name}** has no greeting.` : `**${name}** has ${count === 1 ? "1 greeting" : `${count} greetings`}; pick a number from 1 to ${count}.`,
  greetingPosted: (name: string) => `Posting a greeting of **${name}** here.`,
  set: (name: string, scope: "channel" | "server", activeHere: boolean) =>
    `**${name}** is now ${scope === "server" ? "the server's default persona" : "the persona in this channel"}.` +
    (activeHere ? "" : "\n(This channel has its own persona, so it keeps it; use `/persona reset` here to follow the server.)"),
  reset: (removed: boolean, scope: "channel" | "server", name: string) =>
    removed
      ? `Persona choice for ${scopeName(scope)} removed. Active here now: **${name}**.`
      : `There was no persona choice for ${scopeName(scope)}. Active here: **${name}**.`,
} as const;

/** The cast: personas answering in a channel beside its lead (`/persona add|remove`, the terminal's `/cast`). */
export const CAST_TEXTS = {
  added: (name: string) => `**${name}** joins the cast here: start a message with its name (or reply to it) to talk to it.`,
  removed: (name: string) => `**${name}** left the cast here.`,
  alreadyIn: (name: string) => `**${name}** is in the cast here already.`,
  notIn: (name: string) => `**${name}** is not in the cast here.`,
  isLead: (name: string) => `**${name}** leads here already; it answers every message that addresses nobody in particular.`,
  leadStays: (name: string) => `**${name}** leads here, so it stays; use \`/persona set\` to choose another lead.`,
  full: (max: number) => `The cast here is full (${max} personas beside the lead, MAX_CAST). Remove one first with \`/persona remove\`.`,
  inCast: " *(in the cast here)*",
  line: (lead: string, others: readonly string[]) => `Cast here: **${lead}** (lead)${others.map((name) => `, **${name}**`).join("")}.`,
  /** Opens a cast member's reply when no webhook shows whose it is. */
  replyHeading: (name: string) => `**${name}:** `,
} as const;

/** Scenes (`/scene`, `/masque scenes`): kept beside this file for room, read from here. */
export { SCENE_TEXTS } from "./texts/scenes.js";
export { NOTE_TEXTS } from "./texts/notes.js";

/** The rule recall follows between conversations, said the same way wherever it is shown. */
const RECALL_RULE =
  "Words cross to another channel only from channels everyone in the server can see, and only for people who can see them; private channels, private threads and DMs keep theirs";

export const MEMORY_TEXTS = {
  clearInDmHint: "To delete only your own messages, use `/memory forget-me`.",
  recallOutsideServer: "Server-wide recall is a server setting; use this command in a channel of the server.",
  cancelled: "Cancelled; nothing was deleted.",
  expired: "This confirmation has expired; nothing was deleted. Run the command again.",
  notYours: "Only the person who asked can confirm this.",
  deleteButton: "Delete",
  cancelButton: "Cancel",
  nothingStoredHere: "I have nothing stored for this channel.",
  nothingToClear: "There is nothing stored for this channel.",
  nothingOfYours: "I have no stored messages of yours.",
  showHeading: "**What I remember here**",
  showStored: (stored: number) => `Stored: ${plural(stored, "message", "messages")} in this channel (what people said and my replies).`,
  showRecall: (serverWide: boolean) =>
    `Recall: ${serverWide ? `this channel, and other channels of this server (server-wide recall is on). ${RECALL_RULE}` : "this channel only"}.`,
  showKept: (days: number | undefined) => `Kept: ${days === undefined ? "until deleted" : `for ${plural(days, "day", "days")}`}.`,
  showSummary: (updatedAtSeconds: number) => `Summary of the earlier conversation (updated <t:${updatedAtSeconds}:R>):`,
  showNoSummary: "No summary yet: the conversation is still short enough to remember word for word.",
  confirmClear: (stored: number) => `Delete the ${plural(stored, "message", "messages")} stored for this channel, and its summary? This cannot be undone.`,
  /** `stored` is undefined with shards: this process holds only its own servers' memory, so it has no count to give. */
  confirmForget: (stored: number | undefined) =>
    `Delete ${stored === undefined ? "every message" : `the ${plural(stored, "message", "messages")}`} of yours I stored, in every server, channel and DM, and my replies to them? ` +
    "Summaries that drew on them are deleted too and rebuilt without them. This cannot be undone.",
  recallSet: (on: boolean) =>
    on
      ? "Server-wide recall is **on**: when someone asks about the past, I may bring back what was said in this server's other channels where I took part. " +
        `${RECALL_RULE}.`
      : "Server-wide recall is **off**: I only recall what was said in the same channel.",
  cleared: (turns: number) => `Done: deleted ${plural(turns, "message", "messages")} and the summary of this channel.`,
  forgotten: (turns: number, replies: number) => `Done: deleted ${plural(turns, "message", "messages")} of yours and ${plural(replies, "reply", "replies")} of mine to them.`,
  forgottenPerShard: (reached: number, shards: number, where: string) => `Erased from the memory of ${reached} of ${shards} shards (yours + my replies): ${where}.`,
  shardErasure: (shard: number, turns: number, replies: number) => `shard ${shard}${shard === 0 ? " (with DMs)" : ""}: ${turns} + ${replies}`,
  summariesRebuilt: (summaries: number) => `${plural(summaries, "summary", "summaries")} that drew on them will be rebuilt without them.`,
  shardsNotReached: (shards: readonly number[], userId: string) =>
    `**Not reached: shard ${shards.join(", ")}** (on another machine, or restarting), so nothing was deleted there yet. ` +
    `Try again in a minute, or ask the bot's operator to run \`npm run forget -- ${userId}\` where those shards' files are.`,
} as const;

/** `/chat`, the threads Masque opens, and `/masque threads` and `/masque bots`: kept beside this file for room, read from here. */
export { THREAD_TEXTS } from "./texts/threads.js";

/** Answers of `/masque`; the settings descriptions are in moderation/describe.ts. */
export const MASQUE_TEXTS = {
  statusHeading: "**Masque in this server**",
  channelMode: (channelId: string, mode: string, source: string, meaning: string) => `<#${channelId}> is now \`${mode}\` (${source}): ${meaning}.`,
  alreadyBlocked: (userId: string) => `<@${userId}> was already blocked.`,
  blocked: (userId: string) => `<@${userId}> is blocked: I ignore their messages in this server and store none of them.`,
  notBlocked: (userId: string) => `<@${userId}> was not blocked.`,
  unblocked: (userId: string) => `<@${userId}> is unblocked: I answer them again.`,
  nobodyBlocked: "Nobody is blocked here.",
  blockedHeading: "**Blocked here**",
  limitsHere: (limits: string) => `Limits here: ${limits}.`,
  limitsChanged: (limits: string) => `Limits changed: ${limits}.`,
  contentChecks: (provider: string, isDefault: boolean, words: number) => `Content checks here: ${provider}${isDefault ? " (the bot's default)" : ""}, plus ${words} blocked word(s).`,
  webhooks: (on: boolean, isDefault: boolean) =>
    on
      ? `Personas now reply under their own name and avatar here${isDefault ? " (the bot's default)" : ""}. Where I can't make a webhook (no Manage Webhooks, or the channel is full) I use normal messages.`
      : `Replies here are normal messages from me${isDefault ? " (the bot's default)" : ""}.`,
  filterEntryTooLong: (max: number) => `An entry can be at most ${max} characters long.`,
  filterEntryTooVague: (min: number) => `An entry needs at least ${min} letters or digits besides \`*\`.`,
  filterFull: (max: number) => `The list is full (${max} entries). Remove some with \`/masque filter remove\` first.`,
  filterAlready: (entry: string) => `“${entry}” is already on the list.`,
  filterAdded: (entry: string) => `Blocked “${entry}”: messages to me that contain it get a refusal, and my replies that contain it are held back.`,
  filterMissing: (entry: string) => `“${entry}” is not on the list. See \`/masque filter list\`.`,
  filterRemoved: (entry: string) => `Unblocked “${entry}”.`,
  filterEmpty: "No blocked words here.",
  filterHeading: (count: number, max: number) => `**Blocked words** (${count} of ${max})`,
  auditEmpty: "The audit log is empty.",
  auditHeading: "**Audit log**, newest first",
  notThisServer: (channelId: string) => `<#${channelId}> is not a channel of this server; nothing was changed.`,
  cannotPostIn: (channelId: string) => `I can't post in <#${channelId}>: I need View Channel and Send Messages there.`,
  logChannelSet: (channelId: string | undefined) => (channelId ? `New audit entries will be posted in <#${channelId}>.` : "Audit entries are no longer posted in a channel."),
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

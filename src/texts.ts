/**
 * Every text people read on Discord, in one place, so the wording stays consistent and
 * can be translated. Texts that take values are functions. (The terminal chat's texts
 * live with it, in cli/chat-texts.ts; a model error's own sentence is its `userMessage`.)
 */

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
const scopeName = (scope: "channel" | "server") => (scope === "server" ? "the server" : "this channel");

/** Why the bot will not answer a message, in plain words. */
export const NOTICES = {
  busy: "I'm answering a lot of people right now and can't take this one. Please try again in a minute.",
  inputRefused: "I can't respond to that: it goes against this server's content rules.",
  outputWithheld: "I wrote a reply but held it back: it didn't pass this server's content checks.",
  checksUnavailable:
    "I can't check messages against this server's content rules right now, so I'm not answering. Please try again later.",
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
export const COMMAND_APOLOGY =
  "Sorry, something went wrong on my side. The admins can find the details in the bot's log.";

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
  current: (name: string, id: string, source: string, description: string) =>
    `Active here: **${name}** (\`${id}\`), ${source}.\n${description}`,
  settings: (list: string) => `Settings: ${list}`,
  tags: (list: string) => `Tags: ${list}`,
  greeting: (greeting: string, count: number) =>
    `Greeting${count > 1 ? ` (1 of ${count}; \`/persona greet\` posts another)` : ""}: “${greeting}”`,
  credit: (creator: string | undefined, version: string | undefined) =>
    [creator && `By ${creator}`, version && `version ${version}`].filter(Boolean).join(", "),
  notes: (notes: string) => `Notes: ${notes}`,
  noGreeting: (name: string) => `**${name}** has no greeting.`,
  noSuchGreeting: (name: string, count: number) =>
    count === 0
      ? `**${name}** has no greeting.`
      : `**${name}** has ${count === 1 ? "1 greeting" : `${count} greetings`}; pick a number from 1 to ${count}.`,
  greetingPosted: (name: string) => `Posting a greeting of **${name}** here.`,
  set: (name: string, scope: "channel" | "server", activeHere: boolean) =>
    `**${name}** is now ${scope === "server" ? "the server's default persona" : "the persona in this channel"}.` +
    (activeHere
      ? ""
      : "\n(This channel has its own persona, so it keeps it; use `/persona reset` here to follow the server.)"),
  reset: (removed: boolean, scope: "channel" | "server", name: string) =>
    removed
      ? `Persona choice for ${scopeName(scope)} removed. Active here now: **${name}**.`
      : `There was no persona choice for ${scopeName(scope)}. Active here: **${name}**.`,
} as const;

/** The cast: personas answering in a channel beside its lead (`/persona add|remove`, the terminal's `/cast`). */
export const CAST_TEXTS = {
  added: (name: string) =>
    `**${name}** joins the cast here: start a message with its name (or reply to it) to talk to it.`,
  removed: (name: string) => `**${name}** left the cast here.`,
  alreadyIn: (name: string) => `**${name}** is in the cast here already.`,
  notIn: (name: string) => `**${name}** is not in the cast here.`,
  isLead: (name: string) =>
    `**${name}** leads here already; it answers every message that addresses nobody in particular.`,
  leadStays: (name: string) => `**${name}** leads here, so it stays; use \`/persona set\` to choose another lead.`,
  full: (max: number) =>
    `The cast here is full (${max} personas beside the lead, MAX_CAST). Remove one first with \`/persona remove\`.`,
  inCast: " *(in the cast here)*",
  line: (lead: string, others: readonly string[]) =>
    `Cast here: **${lead}** (lead)${others.map((name) => `, **${name}**`).join("")}.`,
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
  showStored: (stored: number) =>
    `Stored: ${plural(stored, "message", "messages")} in this channel (what people said and my replies).`,
  showRecall: (serverWide: boolean) =>
    `Recall: ${serverWide ? `this channel, and other channels of this server (server-wide recall is on). ${RECALL_RULE}` : "this channel only"}.`,
  showKept: (days: number | undefined) =>
    `Kept: ${days === undefined ? "until deleted" : `for ${plural(days, "day", "days")}`}.`,
  showSummary: (updatedAtSeconds: number) => `Summary of the earlier conversation (updated <t:${updatedAtSeconds}:R>):`,
  showNoSummary: "No summary yet: the conversation is still short enough to remember word for word.",
  confirmClear: (stored: number) =>
    `Delete the ${plural(stored, "message", "messages")} stored for this channel, and its summary? This cannot be undone.`,
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
  forgotten: (turns: number, replies: number) =>
    `Done: deleted ${plural(turns, "message", "messages")} of yours and ${plural(replies, "reply", "replies")} of mine to them.`,
  forgottenPerShard: (reached: number, shards: number, where: string) =>
    `Erased from the memory of ${reached} of ${shards} shards (yours + my replies): ${where}.`,
  shardErasure: (shard: number, turns: number, replies: number) =>
    `shard ${shard}${shard === 0 ? " (with DMs)" : ""}: ${turns} + ${replies}`,
  summariesRebuilt: (summaries: number) =>
    `${plural(summaries, "summary", "summaries")} that drew on them will be rebuilt without them.`,
  shardsNotReached: (shards: readonly number[], userId: string) =>
    `**Not reached: shard ${shards.join(", ")}** (on another machine, or restarting), so nothing was deleted there yet. ` +
    `Try again in a minute, or ask the bot's operator to run \`npm run forget -- ${userId}\` where those shards' files are.`,
} as const;

/** `/chat`, the threads Masque opens, and `/masque threads` and `/masque bots`: kept beside this file for room, read from here. */
export { THREAD_TEXTS } from "./texts/threads.js";

/** Answers of `/masque`, its settings described, and the audit log's phrases: kept beside this file for room, read from here. */
export {
  AUDIT_PHRASES,
  blockedLines,
  describeLimits,
  describeMode,
  describeModeSource,
  describeProvider,
  describeStatus,
  MASQUE_TEXTS,
  type StatusFacts,
} from "./texts/masque.js";

/**
 * Texts of threads and other bots, part of src/texts.ts (which re-exports them: import them
 * from there). In a file of their own only so src/texts.ts stays under the 300-line limit.
 */
/** `/chat`, the threads Masque opens, and the `/masque threads` and `/masque bots` answers. */
export const THREAD_TEXTS = {
  reason: "Masque opens a thread to chat in",
  chatThreadName: (persona: string, user: string) => `${persona} & ${user}`,
  replyThreadName: (user: string) => `Chat with ${user}`,
  notInThread: "I can't open a thread inside a thread. Use `/chat` in a channel.",
  notHere: "I don't speak in this channel, so I can't open a thread here.",
  notInChannel: "I can only open threads from a server's text channel.",
  cannotOpen: (isPrivate: boolean) =>
    `I can't open a ${isPrivate ? "private" : "public"} thread here: I need the Create ${isPrivate ? "Private" : "Public"} Threads and Send Messages in Threads permissions. Ask an admin, or try ${isPrivate ? "without `private`" : "another channel"}.`,
  opened: (threadId: string, persona: string, isPrivate: boolean) =>
    `Opened ${isPrivate ? "a private thread" : "a thread"} with **${persona}**: <#${threadId}>. I answer every message there, no mention needed.`,
  alreadyOpen: (threadId: string, persona: string) =>
    `You already have a thread with **${persona}** here: <#${threadId}>. Carry on there.`,
  tooManyThreads: (max: number, nextAtSeconds: number) =>
    `You've opened ${max} threads in the last hour, the most I open for one person. Carry on in one of them, or ask again <t:${nextAtSeconds}:R>.`,
  opener: (persona: string) => `**${persona}** is here. Talk freely: I answer every message in this thread.`,
  threadsOnMention: (on: boolean) =>
    on
      ? "A mention of me in a channel now opens a thread for my reply, where I answer without mentions. (I need Create Public Threads; without it I answer in the channel.)"
      : "A mention of me is answered in the channel again.",
  notABot: (userId: string, isMe: boolean) =>
    isMe ? "I always ignore my own messages." : `<@${userId}> is a person, not a bot; only bots need allowing.`,
  botAllowed: (botId: string, already: boolean) =>
    already ? `<@${botId}> was already allowed.` : `I now answer <@${botId}> in this server, like a person.`,
  botDenied: (botId: string, was: boolean) => (was ? `I ignore <@${botId}> again.` : `<@${botId}> was not allowed.`),
  noBotsAllowed: "I answer no other bots here (webhooks and bots are ignored unless allowed by name).",
  botsHeading: "**Bots I answer here**",
  botLine: (botId: string, by: string, atSeconds: number) => `• <@${botId}> — allowed by <@${by}> <t:${atSeconds}:R>`,
} as const;

import { DISCORD_MESSAGE_LIMIT } from "../../discord/split.js";
import { THREAD_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand, SubcommandGroup } from "../types.js";
import { answer, audit, fitLines, switchSubcommand } from "./shared.js";

const MS_PER_SECOND = 1000;

/** `/masque threads on|off`: whether a mention in a channel opens a thread for the reply. */
export const threads = switchSubcommand({
  name: "threads",
  description: "Open a thread for the reply when someone mentions me in a channel",
  setting: "threadsOnMention",
  action: "threads.set",
  says: THREAD_TEXTS.threadsOnMention,
});

const allow: Subcommand = {
  name: "allow",
  define: (sub) =>
    sub
      .setDescription("Answer another bot's messages, like a person's")
      .addUserOption((o) => o.setName("bot").setDescription("The bot").setRequired(true)),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const bot = interaction.options.getUser("bot", true);
    const isMe = bot.id === ctx.client.user?.id;
    if (isMe || !bot.bot) {
      await answer(call, THREAD_TEXTS.notABot(bot.id, isMe));
      return;
    }
    const added = ctx.core.memory.allowedBots.allow(guildId, bot.id, interaction.user.id);
    if (added) audit(call, "bot.allow", bot.id);
    await answer(call, THREAD_TEXTS.botAllowed(bot.id, !added));
  }),
};

const deny: Subcommand = {
  name: "deny",
  define: (sub) =>
    sub
      .setDescription("Ignore a bot again")
      .addUserOption((o) => o.setName("bot").setDescription("The bot").setRequired(true)),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const bot = interaction.options.getUser("bot", true);
    const removed = ctx.core.memory.allowedBots.deny(guildId, bot.id);
    if (removed) audit(call, "bot.deny", bot.id);
    await answer(call, THREAD_TEXTS.botDenied(bot.id, removed));
  }),
};

const list: Subcommand = {
  name: "list",
  define: (sub) => sub.setDescription("The bots I answer here"),
  run: adminOnly(async (call) => {
    const bots = call.ctx.core.memory.allowedBots.list(call.guildId);
    const lines = bots.map((b) => THREAD_TEXTS.botLine(b.botId, b.allowedBy, Math.floor(b.allowedAt / MS_PER_SECOND)));
    await answer(
      call,
      bots.length === 0 ? THREAD_TEXTS.noBotsAllowed : fitLines(THREAD_TEXTS.botsHeading, lines, DISCORD_MESSAGE_LIMIT),
    );
  }),
};

/** `/masque bots allow|deny|list`: other bots are ignored unless allowed here by name; webhooks always are. */
export const bots: SubcommandGroup = {
  group: "bots",
  description: "Other bots I answer in this server (all others, and every webhook, are ignored)",
  subcommands: [allow, deny, list],
};

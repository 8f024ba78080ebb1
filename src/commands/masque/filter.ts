import { DISCORD_MESSAGE_LIMIT } from "../../discord/split.js";
import {
  InvalidFilterEntryError,
  MAX_BLOCKED_WORD_CHARS,
  MAX_BLOCKED_WORDS,
  normalizeFilterEntry,
} from "../../moderation/filter.js";
import { MASQUE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { SubcommandGroup } from "../types.js";
import { answer, audit, fitLines } from "./shared.js";

/** `/masque filter add|remove|list`: blocked words and phrases, checked without any provider. */
export const filter: SubcommandGroup = {
  group: "filter",
  description: "Blocked words and phrases, checked without any provider",
  subcommands: [
    {
      name: "add",
      define: (sub) =>
        sub
          .setDescription("Block a word or phrase; * matches any letters inside a word")
          .addStringOption((o) =>
            o
              .setName("entry")
              .setDescription("e.g. free nitro, or scam*")
              .setRequired(true)
              .setMaxLength(MAX_BLOCKED_WORD_CHARS),
          ),
      run: adminOnly(async (call) => {
        const { interaction, ctx, guildId } = call;
        const store = ctx.core.memory.serverSettings;
        let entry: string;
        try {
          entry = normalizeFilterEntry(interaction.options.getString("entry", true));
        } catch (error) {
          if (!(error instanceof InvalidFilterEntryError)) throw error;
          await answer(call, error.message);
          return;
        }
        if (store.blockedWords.list(guildId).length >= MAX_BLOCKED_WORDS) {
          await answer(call, MASQUE_TEXTS.filterFull(MAX_BLOCKED_WORDS));
          return;
        }
        const added = store.blockedWords.add(guildId, entry, interaction.user.id);
        if (added) audit(call, "filter.add", null, { entry });
        await answer(call, added ? MASQUE_TEXTS.filterAdded(entry) : MASQUE_TEXTS.filterAlready(entry));
      }),
    },
    {
      name: "remove",
      define: (sub) =>
        sub
          .setDescription("Unblock a word or phrase")
          .addStringOption((o) =>
            o
              .setName("entry")
              .setDescription("As listed by /masque filter list")
              .setRequired(true)
              .setMaxLength(MAX_BLOCKED_WORD_CHARS),
          ),
      run: adminOnly(async (call) => {
        const { interaction, ctx, guildId } = call;
        const raw = interaction.options.getString("entry", true);
        let entry: string;
        try {
          entry = normalizeFilterEntry(raw);
        } catch {
          entry = raw; // not a valid entry, so certainly not on the list
        }
        const removed = ctx.core.memory.serverSettings.blockedWords.remove(guildId, entry);
        if (removed) audit(call, "filter.remove", null, { entry });
        await answer(call, removed ? MASQUE_TEXTS.filterRemoved(entry) : MASQUE_TEXTS.filterMissing(entry));
      }),
    },
    {
      name: "list",
      define: (sub) => sub.setDescription("The blocked words and phrases"),
      run: adminOnly(async (call) => {
        const words = call.ctx.core.memory.serverSettings.blockedWords.list(call.guildId);
        const lines = words.map((w) => `• ${w}`);
        await answer(
          call,
          words.length === 0
            ? MASQUE_TEXTS.filterEmpty
            : fitLines(MASQUE_TEXTS.filterHeading(words.length, MAX_BLOCKED_WORDS), lines, DISCORD_MESSAGE_LIMIT),
        );
      }),
    },
  ],
};

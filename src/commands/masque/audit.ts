import { DISCORD_MESSAGE_LIMIT } from "../../discord/split.js";
import { describeAuditEntry } from "../../moderation/audit.js";
import { MASQUE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, fitLines } from "./shared.js";

/** `/masque audit` shows this many entries unless asked for another number... */
export const DEFAULT_AUDIT_ENTRIES = 10;
/** ...and at most this many. */
export const MAX_AUDIT_ENTRIES = 25;

export const auditLog: Subcommand = {
  name: "audit",
  define: (sub) =>
    sub
      .setDescription("The latest admin actions and moderation events")
      .addIntegerOption((o) =>
        o
          .setName("limit")
          .setDescription(`How many (default ${DEFAULT_AUDIT_ENTRIES})`)
          .setMinValue(1)
          .setMaxValue(MAX_AUDIT_ENTRIES),
      ),
  run: adminOnly(async (call) => {
    const limit = call.interaction.options.getInteger("limit") ?? DEFAULT_AUDIT_ENTRIES;
    const entries = call.ctx.core.memory.audit.latest(call.guildId, limit);
    await answer(
      call,
      entries.length === 0
        ? MASQUE_TEXTS.auditEmpty
        : fitLines(MASQUE_TEXTS.auditHeading, entries.map(describeAuditEntry), DISCORD_MESSAGE_LIMIT),
    );
  }),
};

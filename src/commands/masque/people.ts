import { DISCORD_MESSAGE_LIMIT } from "../../discord/split.js";
import { blockedLines, MASQUE_TEXTS } from "../../texts.js";
import { adminOnly } from "../preconditions.js";
import type { Subcommand } from "../types.js";
import { answer, audit, fitLines } from "./shared.js";

/** A block reason is at most this long. */
const MAX_REASON_CHARS = 200;

export const block: Subcommand = {
  name: "block",
  define: (sub) =>
    sub
      .setDescription("Ignore someone's messages (they are not stored either)")
      .addUserOption((o) => o.setName("user").setDescription("Who to ignore").setRequired(true))
      .addStringOption((o) =>
        o.setName("reason").setDescription("Kept in the audit log").setMaxLength(MAX_REASON_CHARS),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const user = interaction.options.getUser("user", true);
    const reason = interaction.options.getString("reason");
    if (!ctx.core.memory.serverSettings.blockedUsers.block(guildId, user.id, interaction.user.id, reason)) {
      await answer(call, MASQUE_TEXTS.alreadyBlocked(user.id));
      return;
    }
    audit(call, "user.block", user.id, reason ? { reason } : {});
    await answer(call, MASQUE_TEXTS.blocked(user.id));
  }),
};

export const unblock: Subcommand = {
  name: "unblock",
  define: (sub) =>
    sub
      .setDescription("Answer someone again")
      .addUserOption((o) => o.setName("user").setDescription("Who to answer again").setRequired(true)),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const user = interaction.options.getUser("user", true);
    if (!ctx.core.memory.serverSettings.blockedUsers.unblock(guildId, user.id)) {
      await answer(call, MASQUE_TEXTS.notBlocked(user.id));
      return;
    }
    audit(call, "user.unblock", user.id);
    await answer(call, MASQUE_TEXTS.unblocked(user.id));
  }),
};

export const blocked: Subcommand = {
  name: "blocked",
  define: (sub) => sub.setDescription("Who is blocked here"),
  run: adminOnly(async (call) => {
    const users = call.ctx.core.memory.serverSettings.blockedUsers.list(call.guildId);
    await answer(
      call,
      users.length === 0
        ? MASQUE_TEXTS.nobodyBlocked
        : fitLines(MASQUE_TEXTS.blockedHeading, blockedLines(users), DISCORD_MESSAGE_LIMIT),
    );
  }),
};

export const adminRole: Subcommand = {
  name: "admin-role",
  define: (sub) =>
    sub
      .setDescription("Let a role's members use admin commands, besides Manage Server")
      .addRoleOption((o) => o.setName("role").setDescription("The role").setRequired(true))
      .addStringOption((o) =>
        o
          .setName("action")
          .setDescription("Add (default) or remove")
          .addChoices({ name: "add", value: "add" }, { name: "remove", value: "remove" }),
      ),
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const role = interaction.options.getRole("role", true);
    const store = ctx.core.memory.serverSettings;
    if (interaction.options.getString("action") === "remove") {
      const removed = store.adminRoles.remove(guildId, role.id);
      if (removed) audit(call, "admin_role.remove", role.id);
      await answer(call, removed ? MASQUE_TEXTS.adminRoleRemoved(role.id) : MASQUE_TEXTS.notAdminRole(role.id));
      return;
    }
    if (role.id === guildId) {
      await answer(call, MASQUE_TEXTS.everyoneCannotBeAdmin);
      return;
    }
    const added = store.adminRoles.add(guildId, role.id, interaction.user.id);
    if (added) audit(call, "admin_role.add", role.id);
    await answer(call, added ? MASQUE_TEXTS.adminRoleAdded(role.id) : MASQUE_TEXTS.alreadyAdminRole(role.id));
  }),
};

import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from "discord.js";
import { commandOf } from "../types.js";
import { auditLog } from "./audit.js";
import { channel, logChannel, webhooks } from "./channels.js";
import { filter } from "./filter.js";
import { notes } from "./notes.js";
import { adminRole, block, blocked, unblock } from "./people.js";
import { contentChecks, limits, status } from "./rules.js";
import { scenes } from "./scenes.js";
import { bots, threads } from "./threads.js";

/**
 * `/masque ...`: where the bot speaks, who it ignores (and which other bots it answers),
 * how much it answers, content checks, threads on mention, people notes, and the audit log. Visible to Manage Server by default, and every subcommand is
 * adminOnly, checked in code on every call: a refusal changes and stores nothing.
 */
export const masqueCommand = commandOf(
  new SlashCommandBuilder()
    .setName("masque")
    .setDescription("Moderate Masque in this server (admins)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild),
  [
    channel,
    status,
    block,
    unblock,
    blocked,
    limits,
    contentChecks,
    webhooks,
    filter,
    auditLog,
    logChannel,
    adminRole,
    threads,
    bots,
    scenes,
    notes,
  ],
);

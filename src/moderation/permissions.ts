import { type GuildMember, type Interaction, PermissionFlagsBits } from "discord.js";
import type { AdminRoleStore } from "../memory/admin-roles.js";

/**
 * Whether the person behind an interaction may run admin actions here: Manage Server, or
 * one of the configured admin roles. Always false in DMs. Checked in code on every call;
 * the command's visibility in the client is only a convenience.
 */
export function isAdmin(interaction: Interaction, adminRoleIds: readonly string[]): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  const roles = interaction.member.roles;
  const roleIds: readonly string[] = Array.isArray(roles) ? roles : [...(roles as GuildMember["roles"]).cache.keys()];
  return roleIds.some((id) => adminRoleIds.includes(id));
}

/** {@link isAdmin}, counting the server's roles added with `/masque admin-role` besides ADMIN_ROLE_IDS. */
export function isServerAdmin(
  interaction: Interaction,
  configuredRoleIds: readonly string[],
  store: AdminRoleStore,
): boolean {
  if (!interaction.inGuild()) return false;
  return isAdmin(interaction, [...configuredRoleIds, ...store.list(interaction.guildId)]);
}

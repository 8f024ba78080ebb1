import type { Logger } from "../log.js";
import type { AuditAction, AuditEntry, AuditStore, NewAuditEntry } from "../memory/audit.js";
import type { GuildSettingsStore } from "../memory/guild-settings.js";
import { AUDIT_PHRASES } from "../texts.js";

/** One audit line never grows past this, so a page of them fits a Discord message. */
export const MAX_AUDIT_LINE_CHARS = 300;
const MS_PER_SECOND = 1000;

type TargetKind = "user" | "role" | "channel";

/** What each action's target is, for the ones that have one. */
const TARGETS: Partial<Record<AuditAction, TargetKind>> = {
  "channel.mode": "channel",
  "user.block": "user",
  "user.unblock": "user",
  "log_channel.set": "channel",
  "admin_role.add": "role",
  "admin_role.remove": "role",
};

function mention(kind: TargetKind, id: string): string {
  if (kind === "user") return `<@${id}>`;
  if (kind === "role") return `<@&${id}>`;
  return `<#${id}>`;
}

/** Detail values as inline code; backticks removed so a value cannot break out of it. */
function detailsText(details: AuditEntry["details"]): string {
  const parts = Object.entries(details).map(([key, value]) => {
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    return `${key} \`${text.replaceAll("`", "'")}\``;
  });
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

/**
 * One entry as a Discord line: when, who, what, where. Mentions render as names; whoever
 * posts it must send them with SAFE_MENTIONS so nobody is pinged.
 */
export function describeAuditEntry(entry: AuditEntry): string {
  const kind = TARGETS[entry.action];
  const when = `<t:${Math.floor(entry.createdAt / MS_PER_SECOND)}:f>`;
  const who = entry.actorId ? `<@${entry.actorId}>` : "Masque";
  const target = kind && entry.targetId ? ` ${mention(kind, entry.targetId)}` : kind ? " (none)" : "";
  const targetIsWhere = kind === "channel" && entry.targetId === entry.channelId;
  const where = entry.channelId && !targetIsWhere ? ` in <#${entry.channelId}>` : "";
  const line = `${when} ${who} ${AUDIT_PHRASES[entry.action]}${target}${where}${detailsText(entry.details)}`;
  return line.length > MAX_AUDIT_LINE_CHARS ? `${line.slice(0, MAX_AUDIT_LINE_CHARS - 1)}…` : line;
}

/** Posts a line in a channel; rejects when it cannot. */
export type ChannelPoster = (channelId: string, content: string) => Promise<unknown>;

/** Records audit entries and mirrors each to the server's log channel, if it has one. */
export class Auditor {
  constructor(
    private readonly store: AuditStore,
    private readonly settings: GuildSettingsStore,
    private readonly post: ChannelPoster,
    private readonly log: Logger,
  ) {}

  /** Stores the entry at once; the mirror is posted in the background and a failure only logged. */
  record(entry: NewAuditEntry): AuditEntry {
    const stored = this.store.record(entry);
    this.log.info(
      {
        audit: stored.action,
        guild: stored.guildId,
        channel: stored.channelId,
        actor: stored.actorId,
        target: stored.targetId,
      },
      "audit",
    );
    const logChannelId = stored.guildId ? this.settings.get(stored.guildId).logChannelId : undefined;
    if (logChannelId) {
      this.post(logChannelId, describeAuditEntry(stored)).catch((error: unknown) =>
        this.log.warn({ err: error, channel: logChannelId }, "could not mirror an audit entry to the log channel"),
      );
    }
    return stored;
  }
}

import type { DiscordConfig } from "../config.js";
import type { Core } from "../core.js";
import { Auditor, type ChannelPoster } from "./audit.js";
import { ContentChecker } from "./content.js";
import { ModerationPolicy } from "./policy.js";

/** What keeps the bot within each server's rules: their settings, the content checks, the audit log. */
export interface Moderation {
  /** Stored choices with defaults filled in: channel modes, limits, content rules, blocks. */
  readonly policy: ModerationPolicy;
  readonly content: ContentChecker;
  readonly audit: Auditor;
}

/** Builds the moderation services over the core's memory and model; `post` mirrors audit entries to a server's log channel. */
export function createModeration(core: Core, config: DiscordConfig, post: ChannelPoster): Moderation {
  const { memory } = core;
  return {
    policy: new ModerationPolicy(memory.serverSettings, config.moderation, config.personaWebhooks),
    content: new ContentChecker(core.model, config.moderationModel),
    audit: new Auditor(memory.audit, memory.serverSettings.guild, post, core.log),
  };
}

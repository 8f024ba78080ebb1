import type { Db } from "../../src/memory/db.js";
import type { FakeUser } from "../fakes/discord-server.js";
import { ALICE, BOB, type Stack } from "./stack.js";

/** How long an end-to-end wait may take before the test fails with what it saw. */
export const E2E_WAIT_MS = 8000;

/** One row of the turns table, as stored: what a fault could leave half-written. */
export interface TurnRow {
  readonly conversation: string;
  readonly role: string;
  readonly author: string;
  readonly content: string;
  readonly status: string;
  readonly messageId: string | null;
}

/** Every stored turn, oldest first, read with plain SQL (not through the code under test). */
export function turnRows(db: Db): TurnRow[] {
  return db
    .prepare<[], TurnRow>(
      `SELECT conversation_key AS conversation, role, author_name AS author, content, status, message_id AS messageId
         FROM turns ORDER BY id`,
    )
    .all();
}

/** The text of the bot's messages in a channel as they stand now (after edits), oldest first. */
export function botMessages(stack: Stack, channelId: string): string[] {
  return stack.discord
    .channelMessages(channelId)
    .filter((m) => (m.author as { id: string }).id === stack.discord.botUser.id)
    .map((m) => m.content);
}

/** Waits until a conversation holds `turns` turns and the replies have reached Discord. */
export async function settle(stack: Stack, conversationKey: string, turns: number): Promise<void> {
  await stack.discord.waitFor(() => stack.core.memory.turns.count(conversationKey) >= turns, E2E_WAIT_MS);
  await stack.bot.idle();
}

/** A webhook no persona uses: its messages never set the bot off, so they only mark a point in the gateway's stream. */
const MARKER_WEBHOOK_ID = "330000000000000099";

/**
 * Proves that nothing more comes of what the bot has received so far, without sleeping:
 * posts a message that sets nothing off, waits until the bot's discord.js client holds it
 * (a shard's gateway events arrive in order, so every earlier one, such as the echo of the
 * bot's own reply, has been handed to the bot by then), then waits for the bot to be idle.
 */
export async function quiet(stack: Stack): Promise<void> {
  const channelId = stack.guild.channelId("random");
  const marker = stack.discord.postMessage({
    channelId,
    author: BOB,
    content: "(marker)",
    webhookId: MARKER_WEBHOOK_ID,
  });
  await stack.discord.waitFor(() => {
    const channel = stack.bot.client.channels.cache.get(channelId);
    return channel?.isTextBased() && channel.messages.cache.has(marker.id);
  }, E2E_WAIT_MS);
  await stack.bot.idle();
}

/** Waits until the bot has `count` messages in the channel and no reply is in flight; returns their text. */
export async function waitForBotMessages(stack: Stack, channelId: string, count: number): Promise<string[]> {
  await stack.discord.waitFor(() => botMessages(stack, channelId).length >= count, E2E_WAIT_MS);
  await stack.bot.idle();
  return botMessages(stack, channelId);
}

/** Someone mentions the bot in #general (or `channelId`); returns the posted message's id. */
export function mention(
  stack: Stack,
  content: string,
  options: { author?: FakeUser; channelId?: string } = {},
): string {
  return stack.discord.postMessage({
    channelId: options.channelId ?? stack.general,
    author: options.author ?? ALICE,
    content,
    mentionBot: true,
  }).id;
}

/** The log lines (parsed JSON) whose message is `msg`. */
export function logged(stack: Stack, msg: string): Array<Record<string, unknown>> {
  return stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === msg);
}

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordSaid } from "../../src/chat/journal.js";
import type { Core } from "../../src/core.js";
import { turnAway } from "../../src/discord/refusals.js";
import type { BotContext, PendingMessage } from "../../src/discord/context.js";
import { NOTICES } from "../../src/texts.js";
import { unstartedBot } from "../helpers/bot-context.js";
import { messageWith } from "../helpers/messages.js";
import { createTempDir, removeTempDir } from "../helpers/temp-dir.js";

const GUILD = "900";
const CHANNEL = { key: "channel:100", guildId: GUILD, channelId: "100" };

let core: Core;
let ctx: BotContext;
let dir: string;
beforeEach(() => {
  dir = createTempDir();
  ({ core, ctx } = unstartedBot(dir));
});
afterEach(() => {
  core.close();
  removeTempDir(dir);
});

/** A message from Ali, kept in memory on arrival as the intake keeps it. */
function kept(id: string, content: string): { pending: PendingMessage; replies: string[] } {
  const { message, effects } = messageWith({ id, content });
  const turn = { authorId: message.author.id, authorName: "Ali", content: `Ali: ${content}`, messageId: id };
  const turnId = recordSaid(core.memory.turns, CHANNEL, turn);
  return {
    pending: { message, trigger: "mention", turn: { ...turn, turnId }, lineup: { answerers: [], inCast: false } },
    replies: effects.replies,
  };
}

describe("turnAway", () => {
  it("tells each person the bot is busy, audits it, and leaves nothing of their messages in memory", async () => {
    const first = kept("701", "are you there?");
    const second = kept("702", "hello?");
    expect(core.memory.turns.count(CHANNEL.key)).toBe(2);

    await turnAway([first.pending, second.pending], ctx);

    expect([first.replies, second.replies]).toEqual([[NOTICES.busy], [NOTICES.busy]]);
    expect(core.memory.turns.count(CHANNEL.key)).toBe(0);
    expect(
      core.memory.audit
        .latest(GUILD, 10)
        .map((e) => [e.action, e.details.messageId])
        .reverse(),
    ).toEqual([
      ["bot.busy", "701"],
      ["bot.busy", "702"],
    ]);
  });
});

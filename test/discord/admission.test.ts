import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Core } from "../../src/core.js";
import { admit, screen, takeAllowance } from "../../src/discord/admission.js";
import type { BotContext } from "../../src/discord/context.js";
import { RATE_LIMIT_REACTION } from "../../src/discord/notices.js";
import { NOTICES } from "../../src/texts.js";
import { unstartedBot } from "../helpers/bot-context.js";
import { messageWith } from "../helpers/messages.js";
import { createTempDir, removeTempDir } from "../helpers/temp-dir.js";

const GUILD = "900";
const ALI = "310000000000000001";
const ADMIN = "310000000000000002";

let core: Core;
let ctx: BotContext;
let clock: number;
let dir: string;
beforeEach(() => {
  clock = 1_000_000;
  dir = createTempDir();
  ({ core, ctx } = unstartedBot(dir, { now: () => clock }));
});
afterEach(() => {
  core.close();
  removeTempDir(dir);
});

describe("admit", () => {
  it("ignores a blocked person: no answer, no reaction, nothing spent", async () => {
    core.memory.serverSettings.blockedUsers.block(GUILD, ALI, ADMIN);
    const { message, effects } = messageWith({ authorId: ALI });
    expect(await admit(message, ctx)).toBe(false);
    expect(effects).toEqual({ replies: [], reactions: [] });
    core.memory.serverSettings.blockedUsers.unblock(GUILD, ALI);
    expect(await admit(message, ctx)).toBe(true);
  });

  it("lets a person through until their allowance is spent, then reacts once with ⏳ and audits it", async () => {
    core.memory.serverSettings.guild.update(GUILD, { rateMessages: 2, rateWindowSeconds: 60 }, ADMIN);
    const { message, effects } = messageWith({ authorId: ALI });
    expect([
      await admit(message, ctx),
      await admit(message, ctx),
      await admit(message, ctx),
      await admit(message, ctx),
    ]).toEqual([true, true, false, false]);
    expect(effects.reactions).toEqual([RATE_LIMIT_REACTION]);
    expect(core.memory.audit.latest(GUILD, 10).map((e) => [e.action, e.details])).toEqual([
      ["user.rate_limited", { retryAfterSeconds: 30 }],
    ]);
    clock += 60_000;
    expect(await admit(message, ctx)).toBe(true);
  });

  it("keeps one allowance per person per server, and one for all their DMs", async () => {
    core.memory.serverSettings.guild.update(GUILD, { rateMessages: 1, rateWindowSeconds: 60 }, ADMIN);
    expect(await takeAllowance(messageWith({ authorId: ALI }).message, ctx)).toBe(true);
    expect(await takeAllowance(messageWith({ authorId: ALI }).message, ctx)).toBe(false);
    expect(await takeAllowance(messageWith({ authorId: ADMIN }).message, ctx)).toBe(true);
    expect(await takeAllowance(messageWith({ authorId: ALI, guildId: "901" }).message, ctx)).toBe(true);
    expect(await takeAllowance(messageWith({ authorId: ALI, guildId: null }).message, ctx)).toBe(true);
  });
});

describe("screen", () => {
  const turn = (content: string) => ({ authorId: ALI, authorName: "Ali", content });

  it("passes a message without the server's blocked words, and refuses one with them in plain words, audited", async () => {
    core.memory.serverSettings.blockedWords.add(GUILD, "kraken", ADMIN);
    const clean = messageWith({ id: "701", authorId: ALI });
    expect(await screen(clean.message, turn("Tell me of the sea."), ctx)).toBe(true);
    expect(clean.effects.replies).toEqual([]);

    const flagged = messageWith({ id: "702", authorId: ALI });
    expect(await screen(flagged.message, turn("Release the KRAKEN!"), ctx)).toBe(false);
    expect(flagged.effects.replies).toEqual([NOTICES.inputRefused]);
    const [entry] = core.memory.audit.latest(GUILD, 10);
    expect([entry?.action, entry?.actorId, entry?.details.messageId]).toEqual(["input.flagged", ALI, "702"]);
  });

  it("checks the text the model would read, attachments included, not only what was typed", async () => {
    core.memory.serverSettings.blockedWords.add(GUILD, "kraken", ADMIN);
    const { message } = messageWith({ authorId: ALI, content: "see the file" });
    expect(await screen(message, turn("Ali: see the file\n[notes.txt]\nthe kraken wakes"), ctx)).toBe(false);
  });
});

import { MessageType } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TriggerOptions, triggerOf } from "../../src/discord/triggers.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { messageWith } from "../helpers/messages.js";

const BOT = "400000000000000001";
const OTHER_BOT = "320000000000000009";
const CHANNEL = { key: "channel:100", guildId: "900", channelId: "100" };

let memory: Memory;
beforeEach(() => {
  memory = openMemory(":memory:");
});
afterEach(() => {
  memory.close();
});

/** A mention-only channel in a server, DMs allowed, no allowed bots, no cast. */
function options(overrides: Partial<TriggerOptions> = {}): TriggerOptions {
  return {
    allowDms: true,
    turns: memory.turns,
    mode: "mention",
    inMasqueThread: false,
    isAllowedBot: () => false,
    ...overrides,
  };
}

const trigger = (facts: Parameters<typeof messageWith>[0], overrides: Partial<TriggerOptions> = {}) =>
  triggerOf(messageWith(facts).message, BOT, options(overrides));

describe("triggerOf", () => {
  it("answers a mention of the bot or of its role, and nothing else in a mention-only channel", () => {
    expect(trigger({ mentionedUserIds: [BOT] })).toBe("mention");
    expect(trigger({ mentionedRoleIds: ["800"], botRoleId: "800" })).toBe("mention");
    expect(trigger({ mentionedRoleIds: ["801"], botRoleId: "800" })).toBeUndefined();
    expect(trigger({ content: "just chatting" })).toBeUndefined();
  });

  it("answers a DM only when DMs are allowed", () => {
    expect(trigger({ guildId: null })).toBe("dm");
    expect(trigger({ guildId: null }, { allowDms: false })).toBeUndefined();
  });

  it("answers a reply to its own message: by the replied user, the cached message, or the stored turn", () => {
    expect(trigger({ replyTo: { messageId: "601", repliedUserId: BOT } })).toBe("reply");
    expect(trigger({ replyTo: { messageId: "602", cachedAuthorId: BOT } })).toBe("reply");
    memory.turns.append(CHANNEL, [
      {
        role: "assistant",
        authorId: "persona:quill",
        authorName: "Captain Quill",
        personaId: "quill",
        messageId: "603",
        content: "Ahoy.",
        tokenCount: 3,
        createdAt: 1,
      },
    ]);
    expect(trigger({ replyTo: { messageId: "603" } })).toBe("reply");
    memory.turns.append(CHANNEL, [
      {
        role: "user",
        authorId: "u-bob",
        authorName: "Bob",
        messageId: "604",
        content: "Hi.",
        tokenCount: 2,
        createdAt: 2,
      },
    ]);
    expect(trigger({ replyTo: { messageId: "604" } })).toBeUndefined();
  });

  it("answers anything in a Masque thread or an auto channel, and addressing the cast by name", () => {
    expect(trigger({}, { inMasqueThread: true })).toBe("thread");
    expect(trigger({}, { mode: "auto" })).toBe("auto");
    expect(trigger({ content: "Wren, sing" }, { addressesCast: () => true })).toBe("name");
    expect(trigger({ content: "sing" }, { addressesCast: () => false })).toBeUndefined();
  });

  it("answers nothing in an off channel, not even a mention; a DM is not a channel's to turn off", () => {
    expect(trigger({ mentionedUserIds: [BOT] }, { mode: "off" })).toBeUndefined();
    expect(trigger({}, { mode: "off", inMasqueThread: true })).toBeUndefined();
    expect(trigger({ guildId: null }, { mode: "off" })).toBe("dm");
  });

  it("never answers itself, a webhook, a system message or a message type people do not send", () => {
    expect(trigger({ authorId: BOT, mentionedUserIds: [BOT] })).toBeUndefined();
    expect(trigger({ webhookId: "330000000000000001", mentionedUserIds: [BOT] })).toBeUndefined();
    expect(trigger({ system: true, mentionedUserIds: [BOT] })).toBeUndefined();
    expect(trigger({ type: MessageType.ChannelPinnedMessage, mentionedUserIds: [BOT] })).toBeUndefined();
  });

  it("answers another bot only where the server allowed it by name, and never in a DM", () => {
    const fromBot = { authorId: OTHER_BOT, authorIsBot: true, mentionedUserIds: [BOT] };
    expect(trigger(fromBot)).toBeUndefined();
    expect(trigger(fromBot, { isAllowedBot: (id) => id === OTHER_BOT })).toBe("mention");
    expect(trigger({ ...fromBot, guildId: null }, { isAllowedBot: () => true })).toBeUndefined();
  });

  it("reads the cast only when nothing else set it off", () => {
    let asked = 0;
    const addressesCast = () => {
      asked++;
      return true;
    };
    expect(trigger({ mentionedUserIds: [BOT] }, { addressesCast })).toBe("mention");
    expect(trigger({}, { mode: "auto", addressesCast })).toBe("auto");
    expect(asked).toBe(0);
  });
});

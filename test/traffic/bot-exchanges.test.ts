import { describe, expect, it } from "vitest";
import { BotExchanges, MAX_BOT_EXCHANGES } from "../../src/traffic/bot-exchanges.js";

describe("BotExchanges", () => {
  it("answers a bot MAX_BOT_EXCHANGES times in a conversation, then not until a person speaks there", () => {
    const exchanges = new BotExchanges();
    const answered = () => Array.from({ length: MAX_BOT_EXCHANGES + 1 }, () => exchanges.mayAnswerBot("channel:1"));
    expect(answered()).toEqual([true, true, true, false]);
    expect(exchanges.mayAnswerBot("channel:2")).toBe(true);
    exchanges.personSpoke("channel:2");
    expect(exchanges.mayAnswerBot("channel:1")).toBe(false);
    exchanges.personSpoke("channel:1");
    expect(answered()).toEqual([true, true, true, false]);
  });
});

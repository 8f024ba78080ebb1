import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";
import { said } from "../helpers/memory.js";

describe("InFlightStore", () => {
  let memory: Memory;
  beforeEach(() => {
    memory = openMemory(":memory:");
  });
  afterEach(() => memory.close());

  it("keeps a reply from its start until it is recorded, with the messages that show it so far", () => {
    const [asked] = memory.turns.append({ key: "channel:1", guildId: "g1", channelId: "1" }, [
      said("Ali", "tell me a tale"),
    ]);
    const id = memory.inFlight.begin({
      conversationKey: "channel:1",
      channelId: "1",
      personaId: "quill",
      personaName: "Captain Quill",
      answers: [asked!],
    });
    memory.inFlight.shownIn(id, ["m-1"]);
    memory.inFlight.shownIn(id, ["m-1", "m-2"]);
    expect(memory.inFlight.left()).toEqual([
      {
        id,
        conversationKey: "channel:1",
        channelId: "1",
        personaId: "quill",
        personaName: "Captain Quill",
        answers: [asked],
        messageIds: ["m-1", "m-2"],
        startedAt: expect.any(Number),
      },
    ]);
    memory.inFlight.end(id);
    expect(memory.inFlight.left()).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castOf } from "../../src/chat/cast.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import type { ConversationRef } from "../../src/memory/turns.js";
import { PersonaRegistry } from "../../src/personas/registry.js";
import { testPersona } from "../helpers/personas.js";

const REGISTRY = new PersonaRegistry(
  [testPersona({ id: "juniper" }), testPersona({ id: "wren" }), testPersona({ id: "quill" })],
  "juniper",
);
const CHANNEL: ConversationRef = { key: "channel:10", guildId: "1", channelId: "10", parentId: null, parentKey: null };
const THREAD: ConversationRef = {
  key: "channel:11",
  guildId: "1",
  channelId: "11",
  parentId: "10",
  parentKey: "channel:10",
};

describe("a conversation's cast", () => {
  let memory: Memory;
  beforeEach(() => {
    memory = openMemory(":memory:");
  });
  afterEach(() => memory.close());

  const ids = (conversation: ConversationRef) => castOf(memory, REGISTRY, conversation).members.map((p) => p.id);

  it("is the lead first, then the added personas in the order they were added, each once", () => {
    expect(ids(CHANNEL)).toEqual(["juniper"]);
    expect(memory.casts.add(CHANNEL.key, "1", "quill", "admin")).toBe(true);
    expect(memory.casts.add(CHANNEL.key, "1", "wren", "admin")).toBe(true);
    expect(memory.casts.add(CHANNEL.key, "1", "quill", "admin")).toBe(false);
    expect(ids(CHANNEL)).toEqual(["juniper", "quill", "wren"]);

    memory.personaChoices.setConversationPersona(CHANNEL.key, "wren");
    expect(ids(CHANNEL)).toEqual(["wren", "quill"]);
    expect(memory.casts.remove(CHANNEL.key, "quill")).toBe(true);
    expect(memory.casts.remove(CHANNEL.key, "quill")).toBe(false);
    expect(ids(CHANNEL)).toEqual(["wren"]);
  });

  it("is inherited by a thread without a cast of its own, and skips personas no longer loaded", () => {
    memory.casts.add(CHANNEL.key, "1", "quill");
    memory.casts.add(CHANNEL.key, "1", "gone");
    expect(ids(THREAD)).toEqual(["juniper", "quill"]);

    memory.casts.add(THREAD.key, "1", "wren");
    expect(ids(THREAD)).toEqual(["juniper", "wren"]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Memory, openMemory } from "../../src/memory/index.js";

describe("PersonaChoiceStore", () => {
  let memory: Memory;
  beforeEach(() => {
    memory = openMemory(":memory:");
  });
  afterEach(() => memory.close());

  it("sets, replaces and clears a conversation's persona", () => {
    const settings = memory.personaChoices;
    expect(settings.conversationPersona("channel:1")).toBeUndefined();

    settings.setConversationPersona("channel:1", "quill", "admin-1");
    settings.setConversationPersona("channel:2", "tutor");
    expect(settings.conversationPersona("channel:1")).toBe("quill");

    settings.setConversationPersona("channel:1", "bard", "admin-2");
    expect(settings.conversationPersona("channel:1")).toBe("bard");
    expect(
      memory.db
        .prepare("SELECT persona_id, set_by FROM conversation_settings WHERE conversation_key = 'channel:1'")
        .get(),
    ).toEqual({
      persona_id: "bard",
      set_by: "admin-2",
    });

    expect(settings.clearConversationPersona("channel:1")).toBe(true);
    expect(settings.clearConversationPersona("channel:1")).toBe(false);
    expect(settings.conversationPersona("channel:1")).toBeUndefined();
    expect(settings.conversationPersona("channel:2")).toBe("tutor");
  });

  it("sets, replaces and clears a server's persona", () => {
    const settings = memory.personaChoices;
    expect(settings.guildPersona("900")).toBeUndefined();

    settings.setGuildPersona("900", "quill");
    settings.setGuildPersona("901", "tutor");
    settings.setGuildPersona("900", "reviewer");
    expect(settings.guildPersona("900")).toBe("reviewer");

    expect(settings.clearGuildPersona("900")).toBe(true);
    expect(settings.clearGuildPersona("900")).toBe(false);
    expect(settings.guildPersona("900")).toBeUndefined();
    expect(settings.guildPersona("901")).toBe("tutor");
  });

  it("keeps conversation and server settings apart", () => {
    memory.personaChoices.setConversationPersona("900", "quill");
    expect(memory.personaChoices.guildPersona("900")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { addressedIn, whoAnswers } from "../../src/chat/addressing.js";
import { testPersona } from "../helpers/personas.js";

const WREN = testPersona({ id: "wren", name: "Wren" });
const QUILL = testPersona({ id: "quill", name: "Captain Quill", aliases: ["Quill", "Cap"] });
const JUNIPER = testPersona({ id: "juniper", name: "Juniper" });
const CAST = [JUNIPER, WREN, QUILL];

const names = (text: string) => addressedIn(text, CAST).map((p) => p.id);

describe("addressedIn", () => {
  it("hears a name or alias at the start of a message", () => {
    expect(names("Wren, what do you think?")).toEqual(["wren"]);
    expect(names("quill: tell me a story")).toEqual(["quill"]);
    expect(names("Captain Quill what's the weather")).toEqual(["quill"]);
    expect(names("@Cap are we there yet")).toEqual(["quill"]);
  });

  it("hears a direct address anywhere in the message", () => {
    expect(names("what do you think, Wren?")).toEqual(["wren"]);
    expect(names("That settles it. Quill, your turn.")).toEqual(["quill"]);
    expect(names("hey juniper can you help")).toEqual(["juniper"]);
    expect(names("and what does Quill say?")).toEqual(["quill"]);
    expect(names("thanks, Cap!")).toEqual(["quill"]);
  });

  it("gives everyone addressed, in the order they were named", () => {
    expect(names("Quill and Wren, what do you both think?")).toEqual(["quill", "wren"]);
    expect(names("Wren, Quill: settle this")).toEqual(["wren", "quill"]);
    expect(names("Juniper, tell me. And what does Wren think?")).toEqual(["juniper", "wren"]);
  });

  it("does not take a name that is only mentioned for an address", () => {
    expect(names("I like Wren's hat")).toEqual([]);
    expect(names("the wrench is in the shed")).toEqual([]);
    expect(names("we talked about quills and ink")).toEqual([]);
    expect(names("nobody here by that name")).toEqual([]);
  });
});

describe("whoAnswers", () => {
  it("answers with the persona replied to first, then those named, each once", () => {
    const answering = whoAnswers(CAST, { text: "Wren, Quill: you too", repliedTo: QUILL, fallback: JUNIPER });
    expect(answering.map((p) => p.id)).toEqual(["quill", "wren"]);
  });

  it("falls back when nobody is addressed", () => {
    expect(whoAnswers(CAST, { text: "what a day", fallback: WREN }).map((p) => p.id)).toEqual(["wren"]);
  });
});

import { describe, expect, it } from "vitest";
import { greetingsOf, pickGreeting, renderGreeting } from "../../src/personas/greetings.js";
import { notesIn } from "../../src/personas/persona.js";
import { testPersona } from "../helpers/personas.js";

const AMY = testPersona({
  id: "amy",
  name: "Amy",
  greeting: "As {{user}} logs in, {{char}} appears.",
  greetings: ["<BOT> waves at <USER>.", "{{char}} is asleep."],
});
const PLACE = { server: "Station", channel: "bridge", date: new Date(2025, 2, 14, 9, 30) };

describe("greetings", () => {
  it("adds a V3 card's group-only greetings only in a channel with a cast, and fills {{char}} with the nickname", () => {
    const kes = testPersona({
      id: "kes",
      name: "Kestrel Varn",
      nickname: "Kes",
      greeting: "{{char}} here.",
      groupGreetings: ["{{char}} nods to the crew."],
    });
    expect(greetingsOf(kes)).toEqual(["{{char}} here."]);
    expect(greetingsOf(kes, true)).toEqual(["{{char}} here.", "{{char}} nods to the crew."]);
    expect(pickGreeting(kes, { chosen: 2, inCast: true })).toEqual({ number: 2, text: "{{char}} nods to the crew." });
    expect(renderGreeting(kes, "{{char}} here.", PLACE)).toBe("Kes here.");
  });

  it("shows the notes in the server's language, by locale or its language, else as written", () => {
    const notes = { notes: "A pilot.", notesByLanguage: { fr: "Une pilote.", "pt-br": "Uma piloto." } };
    expect([
      notesIn(notes, "fr"),
      notesIn(notes, "fr-FR"),
      notesIn(notes, "pt-BR"),
      notesIn(notes, "de"),
      notesIn(notes, undefined),
    ]).toEqual(["Une pilote.", "Une pilote.", "Uma piloto.", "A pilot.", "A pilot."]);
  });

  it("lists the greeting first, then the alternate greetings", () => {
    expect(greetingsOf(AMY)).toEqual([
      "As {{user}} logs in, {{char}} appears.",
      "<BOT> waves at <USER>.",
      "{{char}} is asleep.",
    ]);
    expect(greetingsOf(testPersona({ id: "quiet" }))).toEqual([]);
  });

  it("takes the greeting an admin names, and none past the last", () => {
    expect(pickGreeting(AMY, { chosen: 2 })).toEqual({ number: 2, text: "<BOT> waves at <USER>." });
    expect(pickGreeting(AMY, { chosen: 4 })).toBeUndefined();
  });

  it("picks at random, never the previous one again while there is another", () => {
    expect(pickGreeting(AMY, { random: () => 0 })?.number).toBe(1);
    expect(pickGreeting(AMY, { random: () => 0.99 })?.number).toBe(3);
    expect(pickGreeting(AMY, { previous: 1, random: () => 0 })?.number).toBe(2);
    expect(pickGreeting(testPersona({ id: "one", greeting: "Hi." }), { previous: 1 })?.number).toBe(1);
  });

  it("renders {{user}} as the person who asked, else the persona's greeting_user, else everyone", () => {
    expect(renderGreeting(AMY, "As {{user}} logs in, {{char}} appears.", { ...PLACE, user: "Sam" })).toBe(
      "As Sam logs in, Amy appears.",
    );
    expect(renderGreeting(AMY, "<BOT> waves at <USER>.", PLACE)).toBe("Amy waves at everyone.");
    expect(renderGreeting({ ...AMY, greetingUser: "traveller" }, "Welcome, {{user}}. It is {{weekday}}.", PLACE)).toBe(
      "Welcome, traveller. It is Friday.",
    );
  });
});

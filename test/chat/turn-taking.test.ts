import { describe, expect, it } from "vitest";
import { drawByTalkativeness, nextSpeaker, SceneCastError } from "../../src/chat/turn-taking.js";
import { testPersona } from "../helpers/personas.js";
import { seededRandom } from "../helpers/random.js";

const WREN = testPersona({ id: "wren", name: "Wren", talkativeness: 0.5 });
const QUILL = testPersona({ id: "quill", name: "Captain Quill", aliases: ["Quill"], talkativeness: 0.9 });
const THEO = testPersona({ id: "tutor", name: "Professor Theo", aliases: ["Theo"], talkativeness: 0.1 });
const MUTE = testPersona({ id: "mute", name: "Mute", talkativeness: 0 });
const CAST = [WREN, QUILL, THEO];

/** A random source that returns these values in turn. */
const rolls =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0;

describe("drawByTalkativeness", () => {
  it("splits [0, 1) among the candidates in proportion to their talkativeness", () => {
    // Weights 0.5, 0.9, 0.1 of a total 1.5: Wren up to 1/3, Quill up to 14/15, Theo the rest.
    expect(drawByTalkativeness(CAST, rolls(0)).id).toBe("wren");
    expect(drawByTalkativeness(CAST, rolls(0.33)).id).toBe("wren");
    expect(drawByTalkativeness(CAST, rolls(0.34)).id).toBe("quill");
    expect(drawByTalkativeness(CAST, rolls(0.93)).id).toBe("quill");
    expect(drawByTalkativeness(CAST, rolls(0.94)).id).toBe("tutor");
    expect(drawByTalkativeness(CAST, rolls(0.999999)).id).toBe("tutor");
  });

  it("never draws a persona whose talkativeness is 0 while another may speak", () => {
    for (const roll of [0, 0.25, 0.5, 0.75, 0.999999])
      expect(drawByTalkativeness([MUTE, WREN, MUTE], rolls(roll)).id).toBe("wren");
  });

  it("draws evenly when nobody's talkativeness is above 0", () => {
    const quiet = [MUTE, testPersona({ id: "hush", talkativeness: 0 })];
    expect(drawByTalkativeness(quiet, rolls(0.2)).id).toBe("mute");
    expect(drawByTalkativeness(quiet, rolls(0.7)).id).toBe("hush");
  });

  it("follows the weights over many draws", () => {
    const random = seededRandom(21);
    const counts = new Map<string, number>();
    const draws = 15_000;
    for (let i = 0; i < draws; i++) {
      const id = drawByTalkativeness(CAST, random).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect((counts.get("wren") ?? 0) / draws).toBeCloseTo(0.5 / 1.5, 1);
    expect((counts.get("quill") ?? 0) / draws).toBeCloseTo(0.9 / 1.5, 1);
    expect((counts.get("tutor") ?? 0) / draws).toBeCloseTo(0.1 / 1.5, 1);
  });
});

describe("nextSpeaker", () => {
  it("gives the next line to the cast member the last line addressed, never to its speaker", () => {
    const moment = { lastSpeaker: QUILL, lastLine: "Theo, you've read more books than I've sailed seas. Settle it." };
    expect(nextSpeaker(CAST, moment, rolls(0)).id).toBe("tutor");
    // Quill calling out to himself does not give him the next line.
    const selfAddress = { lastSpeaker: QUILL, lastLine: "Quill, old boy, you've outdone yourself." };
    expect(nextSpeaker(CAST, selfAddress, rolls(0)).id).toBe("wren");
  });

  it("draws by talkativeness among the others when the last line addresses nobody", () => {
    const moment = { lastSpeaker: QUILL, lastLine: "The sea is wide and the night is long." };
    // Without Quill the weights are Wren 0.5, Theo 0.1: Wren below 5/6 of the range.
    expect(nextSpeaker(CAST, moment, rolls(0.8)).id).toBe("wren");
    expect(nextSpeaker(CAST, moment, rolls(0.85)).id).toBe("tutor");
  });

  it("never lets one persona speak twice in a row over a long scene", () => {
    const random = seededRandom(7);
    let last: typeof WREN | undefined;
    const spoken: string[] = [];
    for (let line = 0; line < 500; line++) {
      const speaker = nextSpeaker(CAST, { lastSpeaker: last, lastLine: "Hm." }, random);
      expect(speaker.id).not.toBe(last?.id);
      spoken.push(speaker.id);
      last = speaker;
    }
    expect(new Set(spoken)).toEqual(new Set(["wren", "quill", "tutor"]));
  });

  it("answers people who spoke first: the one their newest message addressed, even if it spoke last", () => {
    const moment = {
      lastSpeaker: WREN,
      lastLine: "Quill, your turn.",
      heard: [{ text: "Theo, is that true?" }, { text: "Wren, what did you mean?" }],
    };
    expect(nextSpeaker(CAST, moment, rolls(0)).id).toBe("wren");
    const earlier = {
      lastSpeaker: WREN,
      lastLine: "Quill, your turn.",
      heard: [{ text: "Theo, is that true?" }, { text: "hmm" }],
    };
    expect(nextSpeaker(CAST, earlier, rolls(0)).id).toBe("tutor");
  });

  it("after people spoke to nobody in particular, draws among those who did not speak last (their address to a persona is theirs, not the last line's)", () => {
    const moment = { lastSpeaker: WREN, lastLine: "Theo, your turn.", heard: [{ text: "what a scene" }] };
    // Quill 0.9 and Theo 0.1: a low roll is Quill, though Wren's line addressed Theo.
    expect(nextSpeaker(CAST, moment, rolls(0.5)).id).toBe("quill");
  });

  it("takes a reply to a persona's line as addressing it", () => {
    const moment = { lastSpeaker: WREN, lastLine: "Theo, your turn.", heard: [{ text: "really?", repliedTo: WREN }] };
    expect(nextSpeaker(CAST, moment, rolls(0.5)).id).toBe("wren");
  });

  it("refuses a cast of one", () => {
    expect(() => nextSpeaker([WREN], {}, rolls(0))).toThrow(SceneCastError);
    expect(() => nextSpeaker([WREN, WREN], {}, rolls(0))).toThrow(SceneCastError);
  });
});

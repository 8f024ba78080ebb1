import { describe, expect, it } from "vitest";
import { parsePersona, personaIdOf } from "../../src/personas/parse.js";
import { formatProblem } from "../../src/personas/persona.js";

const EVERY_FIELD = `---
name: Captain Quill
description: A salty sea captain who tells tall tales
avatar: avatars/quill.png
model: gpt-4o
temperature: 0.9
top_p: 0.95
max_tokens: 400
greeting: Ahoy! Who goes there?
examples:
  - user: What's the weather like?
    assistant: Skies as grey as a gull's belly, matey.
  - user: Who are you?
    assistant: "{{char}}, at your service."
tags: [fun, pirate]
aliases: [Cap, Captain]
talkativeness: 0.8
---
You are {{char}}, talking to {{user}}.

Stay salty.
`;

/** The problems of `personas/x.md` with the given text, formatted as the bot logs them. */
function problemLines(source: string, fileName = "x.md"): string[] {
  const result = parsePersona(`personas/${fileName}`, fileName, source);
  if (result.persona) throw new Error("expected the file to be rejected");
  return result.problems.map(formatProblem);
}

describe("parsePersona", () => {
  it("reads every field of a good file", () => {
    expect(parsePersona("personas/quill.md", "quill.md", EVERY_FIELD)).toEqual({
      persona: {
        id: "quill",
        file: "personas/quill.md",
        name: "Captain Quill",
        description: "A salty sea captain who tells tall tales",
        avatar: "avatars/quill.png",
        model: "gpt-4o",
        temperature: 0.9,
        topP: 0.95,
        maxTokens: 400,
        greeting: "Ahoy! Who goes there?",
        examples: [
          { user: "What's the weather like?", assistant: "Skies as grey as a gull's belly, matey." },
          { user: "Who are you?", assistant: "{{char}}, at your service." },
        ],
        tags: ["fun", "pirate"],
        aliases: ["Cap", "Captain"],
        talkativeness: 0.8,
        prompt: "You are {{char}}, talking to {{user}}.\n\nStay salty.",
      },
    });
  });

  it("leaves optional fields unset and lists empty", () => {
    const result = parsePersona(
      "personas/plain.md",
      "plain.md",
      "---\nname: Plain\ndescription: Nothing special.\n---\nYou are Plain.",
    );
    expect(result.persona).toEqual({
      id: "plain",
      file: "personas/plain.md",
      name: "Plain",
      description: "Nothing special.",
      avatar: undefined,
      model: undefined,
      temperature: undefined,
      topP: undefined,
      maxTokens: undefined,
      greeting: undefined,
      examples: [],
      tags: [],
      aliases: [],
      talkativeness: 0.5,
      prompt: "You are Plain.",
    });
  });

  it("accepts Windows line endings and a byte-order mark", () => {
    const result = parsePersona(
      "personas/crlf.md",
      "crlf.md",
      "\uFEFF---\r\nname: Crlf\r\ndescription: Saved on Windows.\r\n---\r\nYou are Crlf.\r\n",
    );
    expect(result.persona?.name).toBe("Crlf");
    expect(result.persona?.prompt).toBe("You are Crlf.");
  });

  it("reports invalid YAML on the front matter", () => {
    expect(problemLines("---\nname: Quill\ndescription: [unclosed\n---\nBody")).toEqual([
      "personas/x.md: front matter: is not valid YAML (line 3): Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("names the file line of a YAML error", () => {
    expect(problemLines("---\nname: Quill\ndescription: [unclosed\n---\nBody")).toEqual([
      "personas/x.md: front matter: is not valid YAML (line 3): Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("reports a missing name", () => {
    expect(problemLines("---\ndescription: Nameless.\n---\nBody")).toEqual(["personas/x.md: name: is missing"]);
  });

  it("reports a temperature above 2", () => {
    expect(problemLines("---\nname: Hot\ndescription: Too hot.\ntemperature: 3\n---\nBody")).toEqual([
      "personas/x.md: temperature: must be from 0 to 2",
    ]);
  });

  it("reports an unknown field and lists the known ones", () => {
    expect(problemLines("---\nname: Moody\ndescription: Has a mood.\nmood: grumpy\n---\nBody")).toEqual([
      "personas/x.md: front matter: unknown field(s) mood; known fields are name, nickname, description, avatar, model, temperature, top_p, max_tokens, greeting, greetings, greeting_user, creator, character_version, notes, notes_by_language, group_greetings, examples, tags, aliases, talkativeness, vision, personality, scenario, system_prompt, post_history_instructions, lore, lore_scan_depth, lore_token_budget, params, show_reasoning, card",
    ]);
  });

  it.each([
    ["examples: hello", "personas/x.md: examples: expected a list of {user, assistant} pairs, found text"],
    ["examples:\n  - hello", "personas/x.md: examples[0]: must be a pair of user: and assistant: lines"],
    ["examples:\n  - user: hi", "personas/x.md: examples[0].assistant: is missing"],
    [
      "examples:\n  - user: hi\n    assistant: yo\n    system: be nice",
      "personas/x.md: examples[0]: unknown field(s) system; each example has only user and assistant",
    ],
  ])("reports examples of the wrong shape: %s", (examples, line) => {
    expect(problemLines(`---\nname: Ex\ndescription: Examples.\n${examples}\n---\nBody`)).toEqual([line]);
  });

  it("reports an empty body", () => {
    expect(problemLines("---\nname: Empty\ndescription: No prompt.\n---\n  \n\n")).toEqual([
      "personas/x.md: body: is empty; write the character's core prompt below the front matter",
    ]);
  });

  it("reports a file without front matter", () => {
    expect(problemLines("You are a persona without any fields.")).toEqual([
      "personas/x.md: front matter: the file must start with a --- line, YAML fields, and a closing --- line",
    ]);
  });

  it("reports front matter that is not a mapping", () => {
    expect(problemLines("---\njust some words\n---\nBody")).toEqual([
      "personas/x.md: front matter: the front matter must be a YAML mapping of field: value lines",
    ]);
  });

  it("reports a file name that cannot be a persona id", () => {
    expect(problemLines("---\nname: Quill\ndescription: Fine.\n---\nBody", "Captain Quill.md")).toEqual([
      "personas/Captain Quill.md: file name: must be lowercase letters, digits, - or _ (it becomes the persona id), ending in .md",
    ]);
  });

  it("reports every problem in a file at once, the empty body included", () => {
    expect(
      problemLines("---\nname: ''\ndescription: Many faults.\ntemperature: hot\ntop_p: 0\nmax_tokens: 1.5\n---\n"),
    ).toEqual([
      "personas/x.md: name: must not be empty",
      "personas/x.md: temperature: expected a number from 0 to 2, found text",
      "personas/x.md: top_p: must be more than 0 and at most 1",
      "personas/x.md: max_tokens: must be a whole number",
      "personas/x.md: body: is empty; write the character's core prompt below the front matter",
    ]);
  });

  it("reports a name longer than Discord allows", () => {
    expect(problemLines(`---\nname: ${"a".repeat(81)}\ndescription: Long name.\n---\nBody`)).toEqual([
      "personas/x.md: name: must be at most 80 characters (Discord's limit for a display name)",
    ]);
  });
});

describe("personaIdOf", () => {
  it.each([
    ["quill.md", "quill"],
    ["code-reviewer_2.MD", "code-reviewer_2"],
    ["Quill.md", undefined],
    ["-quill.md", undefined],
    ["my quill.md", undefined],
  ])("%s → %s", (fileName, id) => {
    expect(personaIdOf(fileName)).toBe(id);
  });
});

describe("parsePersona: names and YAML warnings", () => {
  const problemsOf = (source: string) =>
    parsePersona("personas/x.md", "x.md", source).problems?.map((p) => `${p.field}: ${p.reason}`);

  it("refuses a name with a line break or other control character", () => {
    expect(problemsOf('---\nname: "Two\\nLines"\ndescription: d\n---\nBody')).toEqual([
      "name: must not contain control characters or line breaks",
    ]);
    expect(problemsOf('---\nname: "Nul\\0"\ndescription: d\n---\nBody')).toEqual([
      "name: must not contain control characters or line breaks",
    ]);
  });

  it("reports a YAML warning (an unknown tag) as a problem with its line instead of printing it", () => {
    expect(problemsOf("---\nname: Tagged\ndescription: !weird d\n---\nBody")).toEqual([
      "front matter: is not valid YAML (line 3): Unresolved tag: !weird",
    ]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 6 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ];
    const problems = problemsOf(`---\nname: Bomb\ndescription: d\n${bomb.join("\n")}\n---\nBody`);
    expect(problems).toHaveLength(1);
    expect(problems![0]).toMatch(/^front matter: cannot be read: /);
  });
});

describe("parsePersona: model options", () => {
  const parse = (frontMatter: string) =>
    parsePersona("personas/x.md", "x.md", `---\nname: Sage\ndescription: d\n${frontMatter}\n---\nBody`);
  const problemsOf = (frontMatter: string) => parse(frontMatter).problems?.map((p) => `${p.field}: ${p.reason}`);

  it("passes params through as written and reads show_reasoning", () => {
    const persona = parse(
      "params:\n  reasoning_effort: low\n  think: false\n  provider:\n    order: [deepinfra, together]\n    allow_fallbacks: false\nshow_reasoning: spoiler",
    ).persona;

    expect(persona?.params).toEqual({
      reasoning_effort: "low",
      think: false,
      provider: { order: ["deepinfra", "together"], allow_fallbacks: false },
    });
    expect(persona?.showReasoning).toBe("spoiler");
  });

  it("refuses params that are not a mapping of plain values, or that set what Masque sets", () => {
    expect(problemsOf("params: [reasoning_effort]")).toEqual([
      "params: must be a mapping of request field: value, e.g. reasoning_effort: low",
    ]);
    expect(problemsOf("params:\n  seed: .inf")).toEqual([
      "params.seed: must be plain values: text, numbers, true/false, lists or mappings of them",
    ]);
    expect(problemsOf("params:\n  model: gpt-5\n  stream: false")).toEqual([
      "params: must not set model, messages, stream, stream_options, n, max_tokens, max_completion_tokens; Masque sets those (use max_tokens: at the top level for the reply's length)",
    ]);
  });

  it("refuses a show_reasoning other than off, spoiler or file", () => {
    expect(problemsOf("show_reasoning: yes")).toEqual(["show_reasoning: must be one of off, spoiler, file"]);
  });
});

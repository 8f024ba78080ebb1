import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const REPO = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(REPO, file), "utf8");

/** The pages that map the code: every path and `file:function` they cite must be there. */
const MAPS = ["docs/architecture.md", "CONTRIBUTING.md"];

/** A repository path in backticks, optionally followed by `:name` or `:Class.member`. */
const CITATION =
  /`((?:src|test|bench|migrations|docs|personas|deploy)\/[\w./-]*[\w/])(?::([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?))?`/g;

interface Citation {
  readonly file: string;
  readonly name?: string;
}

/** Every `path` and `path:name` cited in backticks in a Markdown text, in order. */
function citationsIn(markdown: string): Citation[] {
  return [...markdown.matchAll(CITATION)].map((match) =>
    match[2] ? { file: match[1]!, name: match[2] } : { file: match[1]! },
  );
}

/** Whether `source` defines `name` at the top level: a function, class, const, interface or type, exported or not. */
function definesTopLevel(source: string, name: string): boolean {
  return new RegExp(
    `^(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|interface|type|enum)\\s+${name}\\b`,
    "m",
  ).test(source);
}

/** Whether the class `className` in `source` has a member `member` (a method, getter or field). */
function definesMember(source: string, className: string, member: string): boolean {
  const start = source.search(new RegExp(`^(?:export\\s+)?class\\s+${className}\\b`, "m"));
  if (start < 0) return false;
  // The class body runs until the next top-level closing brace.
  const end = source.indexOf("\n}", start);
  const body = source.slice(start, end < 0 ? undefined : end);
  return new RegExp(
    `^\\s+(?:static\\s+)?(?:readonly\\s+)?(?:async\\s+)?(?:get\\s+|set\\s+)?\\*?${member}\\s*[(<:=]`,
    "m",
  ).test(body);
}

/** What is wrong with one citation, or undefined when the file (and the name in it) exists. */
function problemWith(
  citation: Citation,
  exists: (file: string) => boolean,
  sourceOf: (file: string) => string,
): string | undefined {
  if (!exists(citation.file)) return `${citation.file}: no such file`;
  if (!citation.name) return undefined;
  const source = sourceOf(citation.file);
  const [first, member] = citation.name.split(".") as [string, string | undefined];
  const found = member ? definesMember(source, first, member) : definesTopLevel(source, first);
  return found ? undefined : `${citation.file}:${citation.name}: not defined there`;
}

const inRepo = (file: string) => existsSync(path.join(REPO, file));

describe("the pages that map the code", () => {
  it.each(MAPS)("%s cites only files and names that exist", (page) => {
    const citations = citationsIn(read(page));
    expect(citations.length).toBeGreaterThan(10);
    expect(citations.flatMap((c) => problemWith(c, inRepo, read) ?? [])).toEqual([]);
  });

  it("walks the reply's hops in docs/architecture.md as file:function", () => {
    const named = citationsIn(read("docs/architecture.md")).filter((c) => c.name);
    expect(named.map((c) => `${c.file}:${c.name}`)).toEqual(
      expect.arrayContaining([
        "src/discord/events/messageCreate.ts:onMessageCreate",
        "src/discord/answer.ts:answerWaiting",
        "src/chat/engine.ts:ChatEngine.reply",
        "src/chat/generate.ts:generate",
        "src/chat/journal.ts:recordReply",
      ]),
    );
  });

  it("finds a wrong citation: a missing file, a name the file does not define, a member its class lacks", () => {
    const wrong = citationsIn(
      "`src/chat/engine.ts:personaFor`, `src/discord/answer.ts:answerWaiting`, `src/chat/engine.ts:ChatEngine.answer`, `src/chat/no-such.ts`, `src/discord/message-writer.ts:MessageWriter.end`",
    );
    expect(wrong.map((c) => problemWith(c, inRepo, read))).toEqual([
      "src/chat/engine.ts:personaFor: not defined there",
      undefined,
      "src/chat/engine.ts:ChatEngine.answer: not defined there",
      "src/chat/no-such.ts: no such file",
      undefined,
    ]);
  });
});

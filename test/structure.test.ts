import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { functionSpans, importCycles, sourceFiles } from "./helpers/source-shape.js";

/** The house limits (CONTRIBUTING.md, "How the code reads"): a source file a newcomer can read, a function that fits a screen. */
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
const SRC = path.resolve("src");

const files = sourceFiles(SRC);
const relative = (file: string) => path.relative(SRC, file);

describe("the shape of src/", () => {
  it("has no source file over 300 lines", () => {
    const long = files
      .map((file) => [relative(file), readFileSync(file, "utf8").trimEnd().split("\n").length] as const)
      .filter(([, lines]) => lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it("has no function over 60 lines", () => {
    const long = files.flatMap((file) =>
      functionSpans(readFileSync(file, "utf8"))
        .filter((span) => span.lines > MAX_FUNCTION_LINES)
        .map((span) => `${relative(file)}:${span.line} ${span.name} (${span.lines} lines)`),
    );
    expect(long).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(files).map((cycle) => cycle.map(relative).join(" → "))).toEqual([]);
  });
});

describe("the shape checker", () => {
  it("measures functions, methods and arrows from header to closing brace, braces in strings and regexes aside", () => {
    const source = [
      "export async function outer(a: { b: string } = { b: '}' }): Promise<void> {",
      "  const re = /[{]/;",
      "  const inner = (x: number) => {",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test holds a template literal
      "    return `${x}}`;",
      "  };",
      "  if (a) {",
      "    inner(1);",
      "  }",
      "}",
      "class C {",
      "  async *#run(n: Map<string, number>): AsyncGenerator<string, void, undefined> {",
      "    yield '{';",
      "  }",
      "}",
    ].join("\n");
    expect(functionSpans(source)).toEqual([
      { name: "inner", line: 3, lines: 3 },
      { name: "outer", line: 1, lines: 9 },
      { name: "#run", line: 11, lines: 3 },
    ]);
  });

  it("finds a function whose parameters or return type end in a string literal type", () => {
    const source = [
      'function meters(prom: Pick<Client, "Counter" | "Histogram">, registry: Registry) {',
      "  return 1;",
      "}",
      "function engine(",
      "  config: Config,",
      '): Pick<Core, "summarizer" | "engine"> {',
      "  return config;",
      "}",
    ].join("\n");
    expect(functionSpans(source)).toEqual([
      { name: "meters", line: 1, lines: 3 },
      { name: "engine", line: 4, lines: 5 },
    ]);
  });
});

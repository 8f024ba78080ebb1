import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lineDiff } from "../../src/studio/diff.js";
import { withField } from "../../src/studio/fields.js";
import { checkSource, readSource, saveSource } from "../../src/studio/editing.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

const QUILL =
  "---\nname: Captain Quill\ndescription: A salty sea captain\ntemperature: 0.9\n---\nYou are Captain Quill.\n";

function folderWithQuill(): string {
  const dir = tempDirForTest();
  writeFileSync(path.join(dir, "quill.md"), QUILL);
  return dir;
}

describe("checkSource", () => {
  it("puts a YAML error at the line the parser names, and a bad field at its key's line", () => {
    const dir = folderWithQuill();
    expect(
      checkSource(dir, "quill.md", QUILL.replace("temperature: 0.9\n", "temperature: 0.9\nname: Twice\n"), 8000)
        .problems,
    ).toEqual([
      { field: "front matter", reason: "is not valid YAML (line 5): Map keys must be unique", line: 5, warning: false },
    ]);
    const [problem] = checkSource(dir, "quill.md", QUILL.replace("temperature: 0.9", "temperature: 7"), 8000).problems;
    expect([problem?.field, problem?.line]).toEqual(["temperature", 4]);
  });

  it("counts the tokens of each part and what every prompt needs, against CONTEXT_TOKENS", () => {
    const { tokens } = checkSource(folderWithQuill(), "quill.md", QUILL, 8000);
    expect(tokens?.sections.find((s) => s.name === "prompt (the body)")?.tokens).toBe(6);
    expect(tokens?.contextTokens).toBe(8000);
    expect(tokens?.fixed).toBeGreaterThan(6);
  });
});

describe("saveSource", () => {
  it("replaces the file whole through a temp file it leaves nowhere", () => {
    const dir = folderWithQuill();
    const { revision } = readSource(dir, "quill.md");
    const result = saveSource(
      dir,
      "quill.md",
      QUILL.replace("Captain Quill.", "Captain Quill, retired."),
      revision,
      8000,
    );
    expect(result.kind).toBe("saved");
    expect(readFileSync(path.join(dir, "quill.md"), "utf8")).toContain("Captain Quill, retired.");
    expect(readdirSync(dir)).toEqual(["quill.md"]);
  });

  it("refuses a save over a file changed since it was opened, with the difference, and keeps the disk's text", () => {
    const dir = folderWithQuill();
    const { revision } = readSource(dir, "quill.md");
    writeFileSync(path.join(dir, "quill.md"), `${QUILL}Theirs.\n`);
    const result = saveSource(dir, "quill.md", `${QUILL}Mine.\n`, revision, 8000);
    expect(result.kind === "conflict" && result.diff.filter((d) => d.kind !== " ")).toEqual([
      { kind: "-", text: "Theirs." },
      { kind: "+", text: "Mine." },
    ]);
    expect(readFileSync(path.join(dir, "quill.md"), "utf8")).toBe(`${QUILL}Theirs.\n`);
  });

  it("refuses a draft the bot could not load, and writes nothing", () => {
    const dir = folderWithQuill();
    const { revision } = readSource(dir, "quill.md");
    const result = saveSource(dir, "quill.md", "no front matter", revision, 8000);
    expect(result.kind).toBe("invalid");
    expect(readFileSync(path.join(dir, "quill.md"), "utf8")).toBe(QUILL);
  });
});

describe("lineDiff", () => {
  it("keeps common lines and marks the rest", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toEqual([
      { kind: " ", text: "a" },
      { kind: "-", text: "b" },
      { kind: "+", text: "x" },
      { kind: " ", text: "c" },
    ]);
  });
});

describe("withField", () => {
  it("sets one field and keeps comments, other fields and the body; an empty value removes it (and the comment on it)", () => {
    const text = "---\n# who\nname: Quill # the captain\naliases: [Q]\n---\nBody.\n";
    expect(withField(text, "temperature", "0.8")).toBe(
      "---\n# who\nname: Quill # the captain\naliases: [Q]\ntemperature: 0.8\n---\nBody.\n",
    );
    expect(withField(text, "name", "")).toBe("---\naliases: [Q]\n---\nBody.\n");
    expect(withField("---\nname: [\n---\nBody.\n", "name", "x")).toBeUndefined();
  });
});

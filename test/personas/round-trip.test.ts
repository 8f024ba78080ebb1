/**
 * Nothing a card holds is lost (issue 32): each card of the test set is imported into a
 * Markdown persona, exported again as JSON and as PNG, and the export read the way
 * SillyTavern reads a card. Every field the original had must come back equal, \r\n → \n the
 * only change; a field the export adds (Masque's own `extensions.masque`, a default
 * SillyTavern assumes anyway) is allowed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withUnixLineEndings } from "../../src/personas/card-remainder.js";
import { loadPersonaFile } from "../../src/personas/registry.js";
import { exportCard, importCard } from "../../src/personas/transfer.js";
import { cardSet } from "../helpers/card-set.js";
import { readCardAsSillyTavern } from "../helpers/st-card-reader.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

describe("import → export keeps every field SillyTavern reads", () => {
  for (const card of cardSet()) {
    it(card.fileName, () => {
      const dir = tempDirForTest();
      const source = path.join(dir, card.fileName);
      writeFileSync(source, card.bytes);
      const personas = path.join(dir, "personas");
      const imported = importCard(source, personas, { force: false });
      if ("errors" in imported) throw new Error(imported.errors.join("\n"));
      const markdown = path.basename(imported.written[0]!);
      const loaded = loadPersonaFile(personas, markdown);
      if (loaded.kind !== "persona") throw new Error(JSON.stringify(loaded));

      const expected = withUnixLineEndings(card.data) as Record<string, unknown>;
      for (const png of [false, true]) {
        const out = path.join(dir, png ? "png" : "json");
        const exported = exportCard(loaded.persona, personas, { png, outDir: out, force: false });
        if ("errors" in exported) throw new Error(exported.errors.join("\n"));
        const read = readCardAsSillyTavern(readFileSync(exported.written[0]!));
        expect(read.spec).toBe("chara_card_v3");
        expect(read.data).toMatchObject(expected);
      }
      expect(loaded.persona.name).toBe(card.data.name);
    });
  }

  it("gives a card named in another script an id in its own letters", () => {
    const dir = tempDirForTest();
    const [, , chinese] = cardSet();
    writeFileSync(path.join(dir, chinese!.fileName), chinese!.bytes);
    const imported = importCard(path.join(dir, chinese!.fileName), path.join(dir, "personas"), { force: false });
    expect("written" in imported && imported.persona.id).toBe("星之守护者");
  });

  it("refuses a JSON that is no card (a package.json), naming what a card needs", () => {
    const dir = tempDirForTest();
    const file = path.join(dir, "package.json");
    writeFileSync(file, JSON.stringify({ name: "masque", description: "A bot", version: "0.1.0" }));
    expect(importCard(file, path.join(dir, "personas"), { force: false })).toEqual({
      errors: [
        `${file}: card: is not a character card: a card has spec and data (V2, V3), or a name with personality, scenario, first_mes, mes_example (V1)`,
      ],
    });
  });
});

import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isDriverLoadError } from "../../src/memory/db.js";
import { tempDirForTest } from "../helpers/temp-dir.js";

/** The error better-sqlite3 itself throws when it loads the addon at `nativeBinding`. */
function loadError(nativeBinding: string): unknown {
  try {
    new Database(":memory:", { nativeBinding }).close();
  } catch (error) {
    return error;
  }
  throw new Error("expected the addon load to fail");
}

describe("isDriverLoadError", () => {
  it("recognises an addon Node.js cannot load (a broken or foreign build)", () => {
    const addon = path.join(tempDirForTest(), "better_sqlite3.node");
    writeFileSync(addon, "not a shared library");
    expect(isDriverLoadError(loadError(addon))).toBe(true);
  });

  it("recognises the message of an addon built for another Node.js version", () => {
    // Node's own wording when the ABI differs (node_api / src/node_binding.cc).
    const foreign = new Error(
      "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 127.",
    );
    expect(isDriverLoadError(foreign)).toBe(true);
  });

  it("does not take a file problem for a driver problem", () => {
    let error: unknown;
    try {
      new Database(path.join(tempDirForTest(), "missing-folder", "masque.db"));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(isDriverLoadError(error)).toBe(false);
  });
});

import { randomBytes } from "node:crypto";
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PERSONA_ID } from "../personas/parse.js";

/** What a new persona starts as: the fields every persona needs, and a body to replace. */
const NEW_PERSONA = (id: string) => `---
name: ${id}
description: One line saying who this is.
---
You are {{char}}. Say here who you are, how you talk, and what you care about.
`;

/** Why a persona file could not be made or removed. */
export type FileRefusal = "badId" | "taken" | "isDefault" | "notConfirmed";

/**
 * Writes a new file that must not exist yet, whole: a temp file in the same folder, then a
 * hard link to the new name (which fails if the name was taken meanwhile), never a rename
 * over someone's file.
 */
function createWhole(dir: string, file: string, text: string): boolean {
  const temp = path.join(dir, `.${file}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, text, { flag: "wx" });
    linkSync(temp, path.join(dir, file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** A new persona file `id`.md: a copy of `from` (a Markdown persona file), or the starting template. */
export function createPersona(dir: string, id: string, from?: string): { file: string } | { refusal: FileRefusal } {
  if (!PERSONA_ID.test(id)) return { refusal: "badId" };
  const file = `${id}.md`;
  if (existsSync(path.join(dir, file))) return { refusal: "taken" };
  const text = from === undefined ? NEW_PERSONA(id) : readFileSync(path.join(dir, from), "utf8");
  return createWhole(dir, file, text) ? { file } : { refusal: "taken" };
}

/** Deletes a Markdown persona file once `confirm` repeats its id; never the default persona (the bot could not start without it). */
export function deletePersona(
  dir: string,
  file: string,
  confirm: string | undefined,
  defaultPersona: string,
): { deleted: string } | { refusal: FileRefusal } {
  const id = file.replace(/\.md$/, "");
  if (id === defaultPersona) return { refusal: "isDefault" };
  if (confirm !== id) return { refusal: "notConfirmed" };
  rmSync(path.join(dir, file));
  return { deleted: file };
}

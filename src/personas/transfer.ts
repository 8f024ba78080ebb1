/** Character cards in and out of the personas folder: `npm run personas -- import` and `export`. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { CARD_CHUNK_V2, CARD_CHUNK_V3 } from "./cards.js";
import { toCardV3 } from "./card-export.js";
import { toMarkdown } from "./export.js";
import { parsePersona } from "./parse.js";
import { formatProblem, type Persona } from "./persona.js";
import { isPng, type PngChunk, PngError, textChunk, withoutTextChunks, withTextChunks, writePng } from "./png.js";
import { cardIdOf, loadPersonaFile, type PersonaCheck } from "./registry.js";

/** Discord refuses avatar images over 8 MB (its profile picture limit). */
export const MAX_AVATAR_BYTES = 8 * 1024 * 1024;
const BYTES_PER_MB = 1024 * 1024;

/** What an import or export did, or every reason it did nothing. */
export type TransferResult =
  | { readonly written: readonly string[]; readonly persona: Persona }
  | { readonly errors: readonly string[] };

const megabytes = (bytes: number) => `${(bytes / BYTES_PER_MB).toFixed(1)} MB`;

/** The card's image as an avatar: its text chunks (the card's JSON among them) removed. */
function avatarImage(file: string, bytes: Buffer): { image: Buffer } | { error: string } {
  let image: Buffer;
  try {
    image = withoutTextChunks(bytes);
  } catch (error) {
    return { error: `${file}: image: ${error instanceof PngError ? error.message : "cannot be read as a PNG"}` };
  }
  if (image.length > MAX_AVATAR_BYTES) {
    return {
      error: `${file}: image: is ${megabytes(image.length)} without its card; Discord takes avatars up to ${megabytes(MAX_AVATAR_BYTES)}, so shrink the image first`,
    };
  }
  return { image };
}

/**
 * Converts a card into `<id>.md` in `outDir`, a PNG card's image becoming `avatars/<id>.png`.
 * The Markdown is checked exactly as `check` will read it before anything is written.
 */
export function importCard(
  file: string,
  outDir: string,
  options: { force: boolean; check?: PersonaCheck },
): TransferResult {
  const fileName = path.basename(file);
  const result = loadPersonaFile(path.dirname(file), fileName, options.check);
  if (result.kind === "ignored")
    return {
      errors: [`${file}: card: is a PNG without a character card (no ${CARD_CHUNK_V2} or ${CARD_CHUNK_V3} text chunk)`],
    };
  if (result.kind === "broken") return { errors: result.problems.map(formatProblem) };
  const id = cardIdOf(fileName) ?? result.persona.id;
  const target = path.join(outDir, `${id}.md`);
  if (existsSync(target) && !options.force)
    return { errors: [`${target} already exists; pass --force to overwrite it.`] };
  const bytes = readFileSync(file);
  const avatar = isPng(bytes) ? avatarImage(file, bytes) : undefined;
  if (avatar && "error" in avatar) return { errors: [avatar.error] };
  // Kept beside the persona under a name that is not itself loaded as a card.
  const avatarPath = avatar ? path.join("avatars", `${id}.png`) : undefined;
  const markdown = toMarkdown({ ...result.persona, avatar: avatarPath });
  const reread = parsePersona(target, `${id}.md`, markdown);
  const problems = reread.problems ?? options.check?.(reread.persona) ?? [];
  if (problems.length > 0) return { errors: problems.map(formatProblem) };
  mkdirSync(outDir, { recursive: true });
  const written = [target];
  if (avatar && avatarPath) {
    mkdirSync(path.join(outDir, "avatars"), { recursive: true });
    writeFileSync(path.join(outDir, avatarPath), avatar.image);
    written.push(path.join(outDir, avatarPath));
  }
  writeFileSync(target, markdown);
  return { written, persona: reread.persona! };
}

/** A plain 1×1 grey image, for a persona with no PNG avatar of its own. */
function placeholderImage(): Buffer {
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]); // 1×1, 8-bit RGB
  const grey = deflateSync(Buffer.from([0, 128, 128, 128])); // filter byte, then one pixel
  return writePng([
    { type: "IHDR", data: header },
    { type: "IDAT", data: grey },
    { type: "IEND", data: Buffer.alloc(0) },
  ]);
}

/** The persona's avatar when it is a PNG inside the personas folder, else a placeholder. */
function cardImage(persona: Persona, personasDir: string): Buffer {
  if (!persona.avatar || /^https?:\/\//i.test(persona.avatar)) return placeholderImage();
  const file = path.resolve(personasDir, persona.avatar);
  if (!file.startsWith(path.resolve(personasDir) + path.sep) || !existsSync(file)) return placeholderImage();
  const bytes = readFileSync(file);
  return isPng(bytes) ? bytes : placeholderImage();
}

/**
 * The card as SillyTavern writes a PNG: the card's JSON, UTF-8 then base64, in a `chara`
 * tEXt chunk with the V2 spec name and a `ccv3` chunk with the V3 one, both just before IEND
 * (SillyTavern src/character-card-parser.js, `write`).
 */
export function cardPng(persona: Persona, personasDir: string): Buffer {
  const card = toCardV3(persona);
  const base64 = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64");
  const chunks: PngChunk[] = [
    textChunk(CARD_CHUNK_V2, base64({ ...card, spec: "chara_card_v2", spec_version: "2.0" })),
    textChunk(CARD_CHUNK_V3, base64(card)),
  ];
  return withTextChunks(cardImage(persona, personasDir), chunks);
}

/** Writes the persona as a V3 card, `<id>.json` or `<id>.png`, into `outDir` (never the personas folder, where it would load twice). */
export function exportCard(
  persona: Persona,
  personasDir: string,
  options: { png: boolean; outDir: string; force: boolean },
): TransferResult {
  if (path.resolve(options.outDir) === path.resolve(personasDir)) {
    return {
      errors: [
        `${options.outDir} is the personas folder, where the card would load as a second copy of ${persona.id}; pass --out another folder.`,
      ],
    };
  }
  const target = path.join(options.outDir, `${persona.id}.${options.png ? "png" : "json"}`);
  if (existsSync(target) && !options.force)
    return { errors: [`${target} already exists; pass --force to overwrite it.`] };
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(
    target,
    options.png ? cardPng(persona, personasDir) : `${JSON.stringify(toCardV3(persona), null, 2)}\n`,
  );
  return { written: [target], persona };
}

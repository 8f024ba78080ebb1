import { crc32 } from "node:zlib";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Stops a corrupt length field from making us read past the file. */
const CHUNK_HEADER_BYTES = 8;
const CHUNK_CRC_BYTES = 4;

/** The file is not a PNG, or its chunks are cut short. */
export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PngError";
  }
}

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return (
    bytes.length >= PNG_SIGNATURE.length && Buffer.from(bytes.subarray(0, PNG_SIGNATURE.length)).equals(PNG_SIGNATURE)
  );
}

/**
 * Reads the `tEXt` chunks of a PNG as keyword → text (Latin-1, as the PNG spec says), in
 * file order; a keyword met twice keeps its first text, as SillyTavern's card reader takes
 * the first matching chunk (src/character-card-parser.js, `read`). A file that ends where
 * IEND should start still has its text read whole.
 * Character cards keep their JSON, base64-encoded, under `chara` or `ccv3`.
 */
export function readPngTextChunks(bytes: Uint8Array): Map<string, string> {
  if (!isPng(bytes)) throw new PngError("not a PNG file");
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts = new Map<string, string>();
  let offset = PNG_SIGNATURE.length;
  while (offset + CHUNK_HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    const dataStart = offset + CHUNK_HEADER_BYTES;
    const dataEnd = dataStart + length;
    if (dataEnd + CHUNK_CRC_BYTES > buffer.length) throw new PngError(`the ${printable(type)} chunk is cut short`);
    if (type === "tEXt") {
      const data = buffer.subarray(dataStart, dataEnd);
      const separator = data.indexOf(0);
      if (separator > 0 && !texts.has(data.toString("latin1", 0, separator)))
        texts.set(data.toString("latin1", 0, separator), data.toString("latin1", separator + 1));
    }
    if (type === "IEND") break;
    offset = dataEnd + CHUNK_CRC_BYTES;
  }
  return texts;
}

/** One chunk of a PNG: its four-letter type and its data. */
export interface PngChunk {
  readonly type: string;
  readonly data: Buffer;
}

/** Splits a PNG into its chunks, up to and including IEND; one that ends just before IEND gets it added, the image being whole. */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new PngError("not a PNG file");
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset + CHUNK_HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    const dataEnd = offset + CHUNK_HEADER_BYTES + length;
    if (dataEnd + CHUNK_CRC_BYTES > buffer.length) throw new PngError(`the ${printable(type)} chunk is cut short`);
    chunks.push({ type, data: buffer.subarray(offset + CHUNK_HEADER_BYTES, dataEnd) });
    if (type === "IEND") return chunks;
    offset = dataEnd + CHUNK_CRC_BYTES;
  }
  if (offset !== buffer.length) throw new PngError("the PNG ends in the middle of a chunk");
  chunks.push({ type: "IEND", data: Buffer.alloc(0) });
  return chunks;
}

/** Joins chunks into a PNG file, each with its length and CRC as the PNG spec lays them out. */
export function writePng(chunks: readonly PngChunk[]): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const chunk of chunks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.data.length);
    const typeAndData = Buffer.concat([Buffer.from(chunk.type, "latin1"), chunk.data]);
    const crc = Buffer.alloc(CHUNK_CRC_BYTES);
    crc.writeUInt32BE(crc32(typeAndData));
    parts.push(length, typeAndData, crc);
  }
  return Buffer.concat(parts);
}

/** The text chunk types of the PNG spec: tEXt, and compressed zTXt and international iTXt. */
const TEXT_CHUNKS = new Set(["tEXt", "zTXt", "iTXt"]);

/** The same image without its text chunks (a card's JSON, comments, generator notes). */
export function withoutTextChunks(bytes: Uint8Array): Buffer {
  return writePng(readPngChunks(bytes).filter((chunk) => !TEXT_CHUNKS.has(chunk.type)));
}

/** A tEXt chunk: Latin-1 keyword, a NUL, then the Latin-1 text. */
export function textChunk(keyword: string, text: string): PngChunk {
  return { type: "tEXt", data: Buffer.concat([Buffer.from(`${keyword}\0`, "latin1"), Buffer.from(text, "latin1")]) };
}

/** The image with `texts` added as tEXt chunks just before IEND, replacing any text chunks it had. */
export function withTextChunks(bytes: Uint8Array, texts: readonly PngChunk[]): Buffer {
  const chunks = readPngChunks(withoutTextChunks(bytes));
  return writePng([...chunks.slice(0, -1), ...texts, ...chunks.slice(-1)]);
}

/** A chunk type shown in a message: letters only, so a corrupt file prints no raw bytes. */
function printable(type: string): string {
  return /^[A-Za-z]{4}$/.test(type) ? type : "(unreadable)";
}

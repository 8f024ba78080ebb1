import { crc32, deflateSync } from "node:zlib";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A real 1×1 PNG carrying `texts` as tEXt chunks (base64 JSON for cards), as SillyTavern writes them. */
export function pngWithText(texts: Record<string, string>): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const textChunks = Object.entries(texts).map(([keyword, text]) => chunk("tEXt", Buffer.concat([Buffer.from(`${keyword}\0`, "latin1"), Buffer.from(text, "latin1")])));
  return Buffer.concat([PNG_SIGNATURE, chunk("IHDR", header), ...textChunks, chunk("IDAT", deflateSync(Buffer.from([0, 200, 30, 30]))), chunk("IEND", Buffer.alloc(0))]);
}

/** A PNG character card with the card's JSON under `keyword` (chara for V2, ccv3 for V3). */
export function pngCard(card: object, keyword: "chara" | "ccv3" = "chara", extra: Record<string, object> = {}): Buffer {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64");
  return pngWithText({ [keyword]: encode(card), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, encode(v)])) });
}

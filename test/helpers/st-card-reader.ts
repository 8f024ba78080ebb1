/**
 * Reads a character card the way SillyTavern does (src/character-card-parser.js, `read`):
 * the PNG's tEXt chunks in file order, the first whose keyword is `ccv3` without regard to
 * case, else the first `chara`; base64 of UTF-8 JSON. Written for the tests apart from
 * Masque's reader, so a round trip is checked by a second reading, not by Masque's own.
 */
const SIGNATURE_BYTES = 8;

export function readCardAsSillyTavern(bytes: Buffer): { spec?: string; data: Record<string, unknown> } {
  if (bytes[0] !== 0x89) return JSON.parse(bytes.toString("utf8"));
  const texts: Array<{ keyword: string; text: string }> = [];
  for (let offset = SIGNATURE_BYTES; offset + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "tEXt") {
      const nul = data.indexOf(0);
      texts.push({ keyword: data.toString("latin1", 0, nul), text: data.toString("latin1", nul + 1) });
    }
    offset += 12 + length;
  }
  const chunk =
    texts.find((t) => t.keyword.toLowerCase() === "ccv3") ?? texts.find((t) => t.keyword.toLowerCase() === "chara");
  if (!chunk) throw new Error("no card chunk");
  return JSON.parse(Buffer.from(chunk.text, "base64").toString("utf8"));
}

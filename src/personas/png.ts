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
  return bytes.length >= PNG_SIGNATURE.length && Buffer.from(bytes.subarray(0, PNG_SIGNATURE.length)).equals(PNG_SIGNATURE);
}

/**
 * Reads the `tEXt` chunks of a PNG as keyword → text (Latin-1, as the PNG spec says).
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
    if (dataEnd + CHUNK_CRC_BYTES > buffer.length) throw new PngError(`the ${type} chunk is cut short`);
    if (type === "tEXt") {
      const data = buffer.subarray(dataStart, dataEnd);
      const separator = data.indexOf(0);
      if (separator > 0) texts.set(data.toString("latin1", 0, separator), data.toString("latin1", separator + 1));
    }
    if (type === "IEND") break;
    offset = dataEnd + CHUNK_CRC_BYTES;
  }
  return texts;
}

import path from "node:path";
import type { Attachment, Message } from "discord.js";
import type { ImageRef } from "../chat/prompt.js";

/** A text attachment larger than this is not inlined (it would crowd out the conversation). */
export const TEXT_ATTACHMENT_MAX_BYTES = 64 * 1024;
/** How long fetching one attachment may take. */
export const ATTACHMENT_FETCH_TIMEOUT_MS = 5000;
/** At most this many attachments of one message are read; the rest are only listed. */
export const MAX_ATTACHMENTS_READ = 5;

/**
 * The hosts Discord serves attachments from (https://discord.com/developers/docs/reference#image-formatting,
 * "CDN Endpoints"). A message's attachment URL pointing anywhere else is not fetched or
 * handed to the model: the bot must not be made to reach into the network it runs in.
 */
export const DISCORD_CDN_HOSTS: readonly string[] = ["cdn.discordapp.com", "media.discordapp.net"];

/** Whether an attachment URL is Discord's CDN over https, or on the host of DISCORD_API_URL (a stand-in for Discord, as in tests). */
export function isDiscordAttachment(url: string, discordApiUrl?: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  if (protocol === "https:" && DISCORD_CDN_HOSTS.includes(hostname)) return true;
  if (!discordApiUrl || !URL.canParse(discordApiUrl)) return false;
  const standIn = new URL(discordApiUrl);
  return protocol === standIn.protocol && hostname === standIn.hostname;
}

const IMAGE_TYPES = /^image\/(png|jpe?g|gif|webp)$/i;
const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".gif", ".webp"]);
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-yaml|yaml|toml|javascript|typescript|x-sh|sql))/i;
const TEXT_EXTENSIONS = new Set([
  ".txt",
  ".md",
  ".markdown",
  ".csv",
  ".tsv",
  ".json",
  ".jsonl",
  ".yaml",
  ".yml",
  ".toml",
  ".ini",
  ".cfg",
  ".conf",
  ".xml",
  ".html",
  ".css",
  ".log",
  ".js",
  ".mjs",
  ".cjs",
  ".ts",
  ".tsx",
  ".jsx",
  ".py",
  ".rb",
  ".go",
  ".rs",
  ".java",
  ".kt",
  ".c",
  ".h",
  ".cpp",
  ".hpp",
  ".cs",
  ".php",
  ".swift",
  ".sh",
  ".bash",
  ".zsh",
  ".ps1",
  ".sql",
  ".lua",
  ".r",
  ".scala",
  ".hs",
  ".ex",
  ".exs",
  ".erl",
  ".clj",
  ".dart",
  ".vue",
  ".svelte",
]);

/** What a message's attachments add to its turn. */
export interface AttachmentContent {
  /** Lines appended to the message text: inlined files and notes about the rest. */
  readonly text: string;
  readonly images: readonly ImageRef[];
}

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function kindOf(attachment: Attachment): "image" | "text" | "other" {
  const type = attachment.contentType?.split(";")[0]?.trim() ?? "";
  const extension = path.extname(attachment.name).toLowerCase();
  if (IMAGE_TYPES.test(type) || (!type && IMAGE_EXTENSIONS.has(extension))) return "image";
  if (TEXT_TYPES.test(type) || TEXT_EXTENSIONS.has(extension)) return "text";
  return "other";
}

/** Reads a text attachment, refusing more than the cap even if the size field lied. */
async function fetchText(url: string): Promise<string | undefined> {
  // A redirect could lead anywhere: refused (fetch rejects).
  const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(ATTACHMENT_FETCH_TIMEOUT_MS) });
  if (!response.ok || !response.body) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > TEXT_ATTACHMENT_MAX_BYTES) return undefined;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.includes("\0") ? undefined : text;
}

/** A fence longer than any run of backticks in the text, so the file cannot close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

/**
 * Turns a message's attachments into turn content: images become image parts for a
 * vision model (or a note saying the model cannot see them), text files up to
 * TEXT_ATTACHMENT_MAX_BYTES are inlined in a code block, anything else is acknowledged
 * by name, type and size — nothing is dropped silently.
 */
export async function readAttachments(
  message: Message,
  options: { vision: boolean; discordApiUrl?: string },
): Promise<AttachmentContent> {
  const notes: string[] = [];
  const images: ImageRef[] = [];
  let read = 0;
  for (const attachment of message.attachments.values()) {
    const label = `${attachment.name} (${attachment.contentType ?? "unknown type"}, ${sizeLabel(attachment.size)})`;
    const kind = kindOf(attachment);
    if (read >= MAX_ATTACHMENTS_READ) {
      notes.push(`[Attached: ${label} — not read: only the first ${MAX_ATTACHMENTS_READ} attachments are read]`);
      continue;
    }
    if (kind !== "other" && !isDiscordAttachment(attachment.url, options.discordApiUrl)) {
      notes.push(`[Attached: ${label} — not read: it is not on Discord's CDN]`);
      continue;
    }
    if (kind === "image") {
      read++;
      if (options.vision) {
        images.push({ url: attachment.url, name: attachment.name });
        notes.push(`[Attached image: ${attachment.name}]`);
      } else {
        notes.push(`[Attached image: ${attachment.name} — this persona's model cannot see images]`);
      }
    } else if (kind === "text") {
      read++;
      if (attachment.size > TEXT_ATTACHMENT_MAX_BYTES) {
        notes.push(
          `[Attached file: ${label} — too large to read; the limit is ${sizeLabel(TEXT_ATTACHMENT_MAX_BYTES)}]`,
        );
        continue;
      }
      const text = await fetchText(attachment.url).catch(() => undefined);
      if (text === undefined) {
        notes.push(`[Attached file: ${label} — could not be read]`);
      } else {
        const fence = fenceFor(text);
        const language = path.extname(attachment.name).slice(1).toLowerCase();
        notes.push(`[Attached file: ${attachment.name}]\n${fence}${language}\n${text.trimEnd()}\n${fence}`);
      }
    } else {
      notes.push(`[Attached: ${label} — I can't open this kind of file]`);
    }
  }
  return { text: notes.join("\n"), images };
}

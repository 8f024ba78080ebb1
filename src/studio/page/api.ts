/** The page's calls to the studio's JSON API; a refusal becomes a StudioRefusal with the server's sentence. */
import { STUDIO_PAGE } from "../../texts/studio.js";

/** The header the server checks on every non-GET request (src/studio/guards.ts). */
const REQUEST_TOKEN_HEADER = "X-Studio-Token";

/** The server said no, in words meant for the page. */
export class StudioRefusal extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The rest of the refusal's body: a conflict's diff, a draft's problems. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "StudioRefusal";
  }
}

let requestToken = "";

/** Remembers the session's request token, sent with every later non-GET request. */
export function useRequestToken(token: string): void {
  requestToken = token;
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: method === "GET" ? {} : { "Content-Type": "application/json", [REQUEST_TOKEN_HEADER]: requestToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new StudioRefusal(STUDIO_PAGE.unreachable, 0);
  }
  const data: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message =
      typeof data === "object" && data !== null && "error" in data && typeof data.error === "string"
        ? data.error
        : `HTTP ${response.status}`;
    throw new StudioRefusal(
      message,
      response.status,
      typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {},
    );
  }
  return data as T;
}

export const getJson = <T>(path: string) => call<T>("GET", path);
export const postJson = <T>(path: string, body: unknown) => call<T>("POST", path, body);

/**
 * POSTs and reads the answer as server-sent events (Try it's stream), calling `onEvent` with
 * each event's name and JSON data; a refusal (not a stream) throws StudioRefusal.
 */
export async function postStream(
  path: string,
  body: unknown,
  onEvent: (event: string, data: unknown) => void,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", [REQUEST_TOKEN_HEADER]: requestToken },
      body: JSON.stringify(body),
    });
  } catch {
    throw new StudioRefusal(STUDIO_PAGE.unreachable, 0);
  }
  if (!response.ok || response.body === null) {
    const data: unknown = await response.json().catch(() => ({}));
    const message =
      typeof data === "object" && data !== null && "error" in data && typeof data.error === "string"
        ? data.error
        : `HTTP ${response.status}`;
    throw new StudioRefusal(message, response.status);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice("data: ".length))
        .join("\n");
      onEvent(event, JSON.parse(data));
      end = buffered.indexOf("\n\n");
    }
  }
}

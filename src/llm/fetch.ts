import { STATUS_CODES } from "node:http";
import { request } from "undici";

/**
 * The `fetch` the openai SDK is given (its documented `fetch` option). Node's built-in
 * fetch is a second, bundled copy of undici behind the full WHATWG machinery (Request
 * and Response objects, web streams): on a short streamed reply it costs measurably more
 * CPU per call than undici's plain `request()` (docs/benchmarks.md), against a latency
 * target of 5 ms per leg, and brings its own copy of the HTTP parser.
 * discord.js already runs on the undici package, so the model's requests go through that
 * copy too.
 *
 * The SDK sends a string URL and a JSON string body and reads back the status, the
 * headers, and the body either whole (`text()`/`json()`) or as an async iterable, which
 * it accepts in place of a web stream. The response here is exactly that much of a
 * Response. Anything else (a Request object, a form or stream body) goes to Node's fetch.
 * Redirects are not followed: an OpenAI-compatible endpoint answers where it is asked.
 */
export async function modelFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body ?? undefined;
  if (input instanceof Request || (body !== undefined && typeof body !== "string")) return fetch(input, init);
  const url = String(input);
  const response = await request(url, {
    method: (init.method ?? "GET") as "GET",
    headers: plainHeaders(init.headers),
    body,
    signal: init.signal ?? undefined,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const stream = response.body;
  const partial: Pick<
    Response,
    "ok" | "status" | "statusText" | "url" | "redirected" | "headers" | "text" | "json" | "arrayBuffer"
  > & {
    readonly body: AsyncIterable<Uint8Array>;
    readonly bodyUsed: boolean;
  } = {
    ok: response.statusCode >= 200 && response.statusCode < 300,
    status: response.statusCode,
    statusText: STATUS_CODES[response.statusCode] ?? "",
    url,
    redirected: false,
    headers,
    body: stream,
    get bodyUsed() {
      return stream.bodyUsed;
    },
    text: () => stream.text(),
    json: () => stream.json(),
    arrayBuffer: () => stream.arrayBuffer(),
  };
  // The SDK reads only the members above; the rest of Response (clone, blob, formData) it never touches.
  return partial as unknown as Response;
}

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  const plain: Record<string, string> = {};
  if (headers === undefined) return plain;
  // The SDK passes a Headers: read in place, not copied (and every header checked again).
  const source = headers instanceof Headers ? headers : new Headers(headers);
  source.forEach((value, name) => {
    plain[name] = value;
  });
  return plain;
}

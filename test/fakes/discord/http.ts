/** HTTP plumbing of the fake REST API: routing, body parsing, JSON responses. */

import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, HttpStatus } from "./constants.js";
import type { Json, RestFile } from "./types.js";

/** One parsed REST request as route handlers see it. */
export interface RestRequest {
  method: string;
  /** Path after /api/vN, percent-encoding kept. */
  path: string;
  query: Record<string, string>;
  params: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: request JSON of any shape; handlers read fields defensively.
  body: any;
  files: RestFile[];
}

/** What a handler answers; `after` runs once the response is written (gateway echoes). */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  after?: () => void;
}

export type RouteHandler = (request: RestRequest) => RestResponse;

export interface RouteOptions {
  /** Interaction callbacks and token webhooks need no Authorization header. */
  auth?: boolean;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  auth: boolean;
  handler: RouteHandler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Routes written as "/channels/:channelId/messages". */
export class Router {
  readonly #routes: Route[] = [];

  add(method: string, template: string, handler: RouteHandler, options: RouteOptions = {}): void {
    const keys: string[] = [];
    const source = template.replace(/:(\w+)/g, (_match, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`), keys, auth: options.auth ?? true, handler });
  }

  /** Matches the decoded path: @discordjs/rest sends "@me" and "@original" as "%40me", "%40original". */
  match(method: string, path: string): RouteMatch | undefined {
    const decoded = decodePath(path);
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(decoded);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, index) => {
        params[key] = found[index + 1] ?? "";
      });
      return { route, params };
    }
    return undefined;
  }
}

/** Percent-decodes each path segment (a malformed one stays as sent). */
export function decodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

// ----- responses -----

export function json(body: unknown, status: number = HttpStatus.Ok): RestResponse {
  return { status, body };
}

export function noContent(): RestResponse {
  return { status: HttpStatus.NoContent };
}

export function apiError(status: number, error: { code: number; message: string }, errors?: Json): RestResponse {
  return { status, body: { message: error.message, code: error.code, ...(errors && { errors }) } };
}

/** Discord's 400 for a bad field: {code: 50035, errors: {field: {_errors: [...]}}}. */
export function invalidField(field: string, code: string, message: string): RestResponse {
  return apiError(HttpStatus.BadRequest, ApiError.InvalidFormBody, { [field]: { _errors: [{ code, message }] } });
}

export function notFoundRoute(): RestResponse {
  return apiError(HttpStatus.NotFound, { code: ApiError.General.code, message: "404: Not Found" });
}

export function writeResponse(res: ServerResponse, response: RestResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.status === HttpStatus.NoContent || response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  headers["content-type"] = "application/json";
  res.writeHead(response.status, headers).end(JSON.stringify(response.body));
}

// ----- request bodies -----

export interface ParsedBody {
  body: unknown;
  files: RestFile[];
}

export class InvalidBodyError extends Error {}

/** Reads JSON or multipart (payload_json + files[n]) bodies, as discord.js sends them. */
export async function readBody(req: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [] };
  const contentType = req.headers["content-type"] ?? "";
  if (contentType.startsWith("multipart/form-data")) return readMultipart(raw, contentType);
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    throw new InvalidBodyError("The request body contains invalid JSON.");
  }
}

async function readMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  // The fetch API's Request parses multipart for us; the URL is never contacted.
  const form = await new Request("http://fake.invalid/", {
    method: "POST",
    headers: { "content-type": contentType },
    body: raw,
  }).formData();
  let body: unknown;
  const files: RestFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === "string") {
      if (field === "payload_json") body = JSON.parse(value);
      continue;
    }
    files.push({ field, filename: value.name, size: value.size, contentType: value.type });
  }
  return { body, files };
}

export function queryRecord(search: URLSearchParams): Record<string, string> {
  return Object.fromEntries(search.entries());
}

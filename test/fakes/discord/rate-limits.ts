/** Discord-style rate limits (per-route buckets, a global limit) and scripted error injection. */

import { STATUS_CODES } from "node:http";
import { ApiError, HttpStatus } from "./constants.js";
import { decodePath } from "./http.js";
import type { InjectErrorOptions, Json, RateLimitBucketSpec, RateLimitOptions } from "./types.js";

const ONE_SECOND_MS = 1_000;
const MS_PER_SECOND = 1_000;
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const RATE_LIMITED_MESSAGE = "You are being rate limited.";
/** Discord's bucket is per route and per major parameter: a channel, a guild or a webhook. */
const MAJOR_PARAMETER = /^\/(?:channels|guilds)\/(\d+)|^\/webhooks\/(\d+\/[^/]+)/;

/** A response the limiter answers instead of the route handler. */
export interface LimitedResponse {
  status: number;
  headers: Record<string, string>;
  body: Json;
}

/** The limiter's verdict on one request. */
export type LimitVerdict =
  | { kind: "refuse"; response: LimitedResponse }
  | { kind: "allow"; headers: Record<string, string> };

interface BucketState {
  used: number;
  resetAtMs: number;
}

interface InjectedError extends InjectErrorOptions {
  remaining: number;
}

export class RateLimiter {
  #buckets: RateLimitBucketSpec[] = [];
  #bucketStates = new Map<string, BucketState>();
  #globalPerSecond: number | undefined;
  #global: BucketState = { used: 0, resetAtMs: 0 };
  #injected: InjectedError[] = [];

  setLimits(options: RateLimitOptions): void {
    this.#buckets = options.buckets ?? [];
    this.#bucketStates.clear();
    this.#globalPerSecond = options.globalPerSecond;
    this.#global = { used: 0, resetAtMs: 0 };
  }

  injectError(options: InjectErrorOptions): void {
    this.#injected.push({ ...options, remaining: options.count ?? 1 });
  }

  /**
   * Decides one request: an injected error, a 429, or go-ahead with the bucket headers
   * the response must carry. `exemptFromGlobal` is for interaction endpoints, as on Discord.
   */
  check(method: string, path: string, exemptFromGlobal: boolean): LimitVerdict {
    const injected = this.#takeInjected(method, path);
    if (injected) return { kind: "refuse", response: injectedResponse(injected) };
    const now = Date.now();
    if (!exemptFromGlobal && this.#globalPerSecond !== undefined) {
      const globalRefusal = this.#consumeGlobal(now, this.#globalPerSecond);
      if (globalRefusal) return { kind: "refuse", response: globalRefusal };
    }
    const index = this.#buckets.findIndex((bucket) => appliesTo(bucket, method, path));
    const bucket = this.#buckets[index];
    if (!bucket) return { kind: "allow", headers: {} };
    return this.#consumeBucket(index, bucket, path, now);
  }

  #takeInjected(method: string, path: string): InjectedError | undefined {
    const match = this.#injected.find((rule) => rule.remaining > 0 && appliesTo(rule, method, path));
    if (match) match.remaining -= 1;
    this.#injected = this.#injected.filter((rule) => rule.remaining > 0);
    return match;
  }

  #consumeGlobal(now: number, perSecond: number): LimitedResponse | undefined {
    if (now >= this.#global.resetAtMs) this.#global = { used: 0, resetAtMs: now + ONE_SECOND_MS };
    if (this.#global.used < perSecond) {
      this.#global.used += 1;
      return undefined;
    }
    const retryAfter = secondsUntil(this.#global.resetAtMs, now);
    return rateLimited(retryAfter, { global: true, scope: "global" });
  }

  #consumeBucket(index: number, bucket: RateLimitBucketSpec, path: string, now: number): LimitVerdict {
    const key = `${index}:${MAJOR_PARAMETER.exec(path)?.slice(1).join("") ?? ""}`;
    let state = this.#bucketStates.get(key);
    if (!state || now >= state.resetAtMs) {
      state = { used: 0, resetAtMs: now + bucket.windowMs };
      this.#bucketStates.set(key, state);
    }
    const resetAfter = secondsUntil(state.resetAtMs, now);
    if (state.used >= bucket.limit) {
      const refusal = rateLimited(resetAfter, { global: false, scope: "user" });
      Object.assign(refusal.headers, bucketHeaders(index, bucket.limit, 0, state.resetAtMs, resetAfter));
      return { kind: "refuse", response: refusal };
    }
    state.used += 1;
    const remaining = bucket.limit - state.used;
    return { kind: "allow", headers: bucketHeaders(index, bucket.limit, remaining, state.resetAtMs, resetAfter) };
  }
}

/** A rule's route may be written against the path as sent ("%40me") or decoded ("@me"). */
function appliesTo(rule: { method?: string; route: RegExp }, method: string, path: string): boolean {
  const methodMatches = rule.method === undefined || rule.method.toUpperCase() === method;
  return methodMatches && (rule.route.test(path) || rule.route.test(decodePath(path)));
}

function secondsUntil(atMs: number, now: number): number {
  return Math.max(0, atMs - now) / MS_PER_SECOND;
}

function bucketHeaders(
  index: number,
  limit: number,
  remaining: number,
  resetAtMs: number,
  resetAfterSeconds: number,
): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": (resetAtMs / MS_PER_SECOND).toFixed(3),
    "x-ratelimit-reset-after": resetAfterSeconds.toFixed(3),
    "x-ratelimit-bucket": `fake-bucket-${index}`,
  };
}

/** A 429 as Discord sends it; Retry-After is in (fractional) seconds so tests stay fast. */
function rateLimited(retryAfterSeconds: number, options: { global: boolean; scope: string }): LimitedResponse {
  const headers: Record<string, string> = {
    "retry-after": retryAfterSeconds.toFixed(3),
    "x-ratelimit-scope": options.scope,
  };
  if (options.global) headers["x-ratelimit-global"] = "true";
  return {
    status: HttpStatus.TooManyRequests,
    headers,
    body: { message: RATE_LIMITED_MESSAGE, retry_after: retryAfterSeconds, global: options.global, code: 0 },
  };
}

function injectedResponse(rule: InjectedError): LimitedResponse {
  if (rule.status === HttpStatus.TooManyRequests) {
    const limited = rateLimited(rule.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS, {
      global: rule.global ?? false,
      scope: rule.global ? "global" : "user",
    });
    return rule.body ? { ...limited, body: rule.body } : limited;
  }
  return { status: rule.status, headers: {}, body: rule.body ?? defaultErrorBody(rule.status) };
}

export function defaultErrorBody(status: number): Json {
  if (status === HttpStatus.Forbidden) return { ...ApiError.MissingPermissions };
  return { message: `${status}: ${STATUS_CODES[status] ?? "Error"}`, code: ApiError.General.code };
}

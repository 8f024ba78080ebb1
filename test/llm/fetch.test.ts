import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelFetch } from "../../src/llm/fetch.js";

/** What the server saw of the last request. */
let seen: { method?: string; headers: IncomingMessage["headers"]; body: string } = { headers: {}, body: "" };
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (piece: string) => (body += piece));
  req.on("end", () => {
    seen = { method: req.method, headers: req.headers, body };
    if (req.url === "/json") {
      res.writeHead(429, [
        ["content-type", "application/json"],
        ["x-tag", "one"],
        ["x-tag", "two"],
        ["retry-after", "3"],
      ]);
      res.end(JSON.stringify({ error: { message: "slow down" } }));
    } else if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
      setTimeout(() => res.end("data: second\n\n"), 20);
    } else if (req.url === "/hang") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("modelFetch", () => {
  it("sends the method, headers and body, and reads back status, headers and JSON", async () => {
    const response = await modelFetch(`${base}/json`, {
      method: "POST",
      headers: new Headers({ authorization: "Bearer sk-test", "content-type": "application/json" }),
      body: '{"model":"m"}',
    });
    expect(seen).toMatchObject({ method: "POST", body: '{"model":"m"}' });
    expect(seen.headers).toMatchObject({ authorization: "Bearer sk-test", "content-type": "application/json" });
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.statusText).toBe("Too Many Requests");
    expect(response.url).toBe(`${base}/json`);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.headers.get("x-tag")).toBe("one, two");
    expect(await response.json()).toEqual({ error: { message: "slow down" } });
  });

  it("gives the body as an async iterable of bytes, as it arrives", async () => {
    const response = await modelFetch(`${base}/stream`, { method: "POST", body: "{}" });
    expect(response.ok).toBe(true);
    const pieces: string[] = [];
    for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>)
      pieces.push(Buffer.from(piece).toString("utf8"));
    expect(pieces).toEqual(["data: first\n\n", "data: second\n\n"]);
    expect(response.bodyUsed).toBe(true);
  });

  it("ends a body that is being read when the signal fires", async () => {
    const controller = new AbortController();
    const response = await modelFetch(`${base}/hang`, { method: "POST", body: "{}", signal: controller.signal });
    const reading = (async () => {
      for await (const _piece of response.body as unknown as AsyncIterable<Uint8Array>) controller.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
  });

  it("rejects at once when the signal has already fired", async () => {
    await expect(
      modelFetch(`${base}/json`, { method: "POST", body: "{}", signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: "AbortError" });
  });

  it("hands a body that is not a string to Node's fetch", async () => {
    const form = new FormData();
    form.set("purpose", "test");
    const response = await modelFetch(`${base}/other`, { method: "POST", body: form });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(404);
    expect(seen.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  });
});

import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { ChatEngine } from "../../src/chat/engine.js";
import { ModelClient } from "../../src/llm/client.js";
import { silentLogger } from "../../src/log.js";
import { type Memory, openMemory } from "../../src/memory/index.js";
import type { PersonaRegistry } from "../../src/personas/registry.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";

/** The engine a test file talks to: the fake model server, and a fresh in-memory database and engine per test. */
export interface EngineFixture {
  server: FakeModelServer;
  memory: Memory;
  engine: ChatEngine;
}

/**
 * Registers the hooks that give each test of the file a real engine over real SQLite and
 * the real openai SDK against the fake model server (one server per file, reset after each
 * test). Read the fields inside tests or later hooks, once the hooks have run.
 */
export function engineOverFakeModel(
  registry: PersonaRegistry,
  settings: { defaultModel: string; contextTokens: number },
): EngineFixture {
  const fixture = {} as EngineFixture;
  beforeAll(async () => {
    fixture.server = await startFakeModelServer();
  });
  afterAll(async () => {
    await fixture.server.close();
  });
  beforeEach(() => {
    fixture.memory = openMemory(":memory:");
    const model = new ModelClient({
      baseURL: fixture.server.baseURL,
      apiKey: "sk-test",
      timeoutMs: 5000,
      maxRetries: 0,
    });
    fixture.engine = new ChatEngine({
      memory: fixture.memory,
      model,
      personas: () => registry,
      settings,
      log: silentLogger,
    });
  });
  afterEach(() => {
    fixture.memory.close();
    fixture.server.reset();
  });
  return fixture;
}

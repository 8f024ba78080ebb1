import { describe, expect, it } from "vitest";
import { ConfigError, KNOWN_VARIABLES } from "../../src/config.js";
import { loadStudioConfig } from "../../src/studio/config.js";

function problems(env: Record<string, string>): string[] {
  try {
    loadStudioConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("loadStudioConfig", () => {
  it("is off with nothing set, and binds 127.0.0.1 when on", () => {
    expect(loadStudioConfig({})).toEqual({ port: undefined, host: "127.0.0.1", publicUrl: undefined });
    expect(loadStudioConfig({ STUDIO_PORT: "7860" })).toEqual({ port: 7860, host: "127.0.0.1", publicUrl: undefined });
  });

  it("refuses a bind other machines can reach unless STUDIO_PUBLIC_URL names the proxy in front", () => {
    expect(problems({ STUDIO_PORT: "7860", STUDIO_HOST: "0.0.0.0" })).toEqual([
      "STUDIO_HOST: is 0.0.0.0, which other machines can reach: set STUDIO_PUBLIC_URL to the https:// address of a reverse proxy in front of it (docs/studio.md), or keep 127.0.0.1 and use an SSH tunnel",
    ]);
    expect(
      loadStudioConfig({ STUDIO_HOST: "0.0.0.0", STUDIO_PUBLIC_URL: "https://studio.example.org/" }).publicUrl,
    ).toBe("https://studio.example.org");
    expect(problems({ STUDIO_HOST: "::1" })).toEqual([]);
  });

  it("names a bad port and the fix", () => {
    expect(problems({ STUDIO_PORT: "70000" })).toEqual([
      "STUDIO_PORT: must be a port number from 1 to 65535 (0 picks a free one), or empty for no studio",
    ]);
  });

  it("reads only variables the config knows (and .env.example documents)", () => {
    expect(
      ["STUDIO_PORT", "STUDIO_HOST", "STUDIO_PUBLIC_URL"].filter((name) => !KNOWN_VARIABLES.includes(name)),
    ).toEqual([]);
  });
});

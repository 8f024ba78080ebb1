import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../../src/commands/index.js";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord-server.js";
import { runCli } from "../helpers/run-cli.js";

const ENTRY = "src/cli/deploy-commands.ts";
const DEV_GUILD_ID = "333333333333333333";

describe("npm run deploy-commands", () => {
  let discord: FakeDiscord;
  afterEach(async () => {
    await discord.close();
  });

  const env = () => ({
    DOTENV_CONFIG_PATH: "/nonexistent/.env",
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
  });

  it("registers every command globally, without needing the model settings", async () => {
    discord = await startFakeDiscord();
    const result = await runCli(ENTRY, [], { env: env() });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(
      `Registered ${commands.length} command(s) globally (may take up to an hour to appear everywhere).`,
    );
    const put = discord.calls.find((c) => c.method === "PUT")!;
    expect(put.path).toBe(`/applications/${discord.applicationId}/commands`);
    expect(put.body.map((c: { name: string }) => c.name)).toEqual(["persona", "memory", "masque", "chat", "scene"]);
    // Admin-only commands are hidden from members without Manage Server by default (and checked in code anyway).
    expect(put.body.find((c: { name: string }) => c.name === "masque").default_member_permissions).toBe(
      String(1n << 5n),
    );
  });

  it("registers to one server with DEV_GUILD_ID", async () => {
    discord = await startFakeDiscord();
    const result = await runCli(ENTRY, [], { env: { ...env(), DEV_GUILD_ID } });
    expect(result.stdout.trim()).toBe(`Registered ${commands.length} command(s) to server ${DEV_GUILD_ID}.`);
    expect(discord.calls.find((c) => c.method === "PUT")!.path).toBe(
      `/applications/${discord.applicationId}/guilds/${DEV_GUILD_ID}/commands`,
    );
  });

  it("names the missing token and exits non-zero", async () => {
    discord = await startFakeDiscord();
    const result = await runCli(ENTRY, [], { env: { DOTENV_CONFIG_PATH: "/nonexistent/.env" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DISCORD_TOKEN: is required");
  });
});

import "../load-env.js";
import { REST, Routes } from "discord.js";
import { commands } from "../commands/index.js";
import { ConfigError, loadDiscordConfig } from "../config.js";

/** Registers the slash commands: globally, or to DEV_GUILD_ID (instant) when set. `npm run deploy-commands`. */
async function main(): Promise<void> {
  const config = loadDiscordConfig();
  const rest = new REST(config.discordApiUrl ? { api: config.discordApiUrl } : {}).setToken(config.discordToken);
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  const body = commands.map((c) => c.data);
  const route = config.devGuildId
    ? Routes.applicationGuildCommands(application.id, config.devGuildId)
    : Routes.applicationCommands(application.id);
  const registered = (await rest.put(route, { body })) as unknown[];
  console.log(
    `Registered ${registered.length} command(s) ${config.devGuildId ? `to server ${config.devGuildId}` : "globally (may take up to an hour to appear everywhere)"}.`,
  );
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? error.message
      : `Could not register the commands: ${error instanceof Error ? error.message : error}`,
  );
  process.exit(1);
});

/**
 * Loads `.env` (or DOTENV_CONFIG_PATH) into process.env, then drops every variable whose
 * value is empty. Import it first in every entry point.
 *
 * An empty value means "use the default", as `.env.example` promises. Libraries do not all
 * agree: discord.js parses an empty SHARDS as JSON when the client is built and crashes.
 */
import "dotenv/config";

/** Removes the variables whose value is empty or only spaces, so they read as unset. */
export function dropEmptyVariables(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() === "") delete env[name];
  }
}

dropEmptyVariables(process.env);

import "../load-env.js";
import { ConfigError, loadCoreConfig } from "../config.js";
import { createCore } from "../core.js";
import { createLogger } from "../log.js";
import { DatabaseError } from "../memory/db.js";
import { PersonaError } from "../personas/persona.js";
import { loadStudioConfig, STANDALONE_STUDIO_PORT } from "../studio/config.js";
import { LOCAL_OWNER } from "../studio/sessions.js";
import { startStudio, studioHostOf } from "../studio/serve.js";
import { STUDIO_CONSOLE } from "../texts/studio.js";

/** `npm run studio`: the studio alone, no Discord, on STUDIO_PORT (or 7860); prints a one-time sign-in link. */
async function main(): Promise<void> {
  const config = loadCoreConfig();
  const studioConfig = loadStudioConfig();
  const log = createLogger(config.logLevel);
  const core = createCore(config, log);
  const studio = await startStudio(studioHostOf(core), studioConfig, studioConfig.port ?? STANDALONE_STUDIO_PORT);
  console.log(`${STUDIO_CONSOLE.open(studio.loginLink(LOCAL_OWNER))}\n${STUDIO_CONSOLE.again}`);
  const stop = () => {
    studio.close().finally(() => {
      core.close();
      process.exit(0);
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof PersonaError || error instanceof DatabaseError)
    console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === "EADDRINUSE")
    console.error("The studio's port is taken: set STUDIO_PORT to another one (0 picks a free port).");
  else console.error("The studio could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});

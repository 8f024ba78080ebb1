import { isIP } from "node:net";
import { z } from "zod";
import { emptyAsUndefined, text, url } from "../config-fields.js";
import { ConfigError, type ConfigProblem } from "../config.js";

/** The port `npm run studio` serves on when STUDIO_PORT is empty (the bot serves nothing then). */
export const STANDALONE_STUDIO_PORT = 7860;
const MAX_PORT = 65_535;

const studioSchema = z.object({
  /** Serve the studio inside the bot on this port; undefined: the bot serves no studio. 0 picks a free port. */
  STUDIO_PORT: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || (/^\d+$/.test(v.trim()) && Number(v) <= MAX_PORT),
        "must be a port number from 1 to 65535 (0 picks a free one), or empty for no studio",
      )
      .transform((v) => (v === undefined ? undefined : Number(v))),
  ),
  STUDIO_HOST: text("127.0.0.1"),
  /** The https:// address people open when the studio is behind a reverse proxy; needed for a non-loopback STUDIO_HOST. */
  STUDIO_PUBLIC_URL: url("https://studio.example.org (your reverse proxy's address)"),
});

/** Where the studio listens and the address its pages are reached at. */
export interface StudioConfig {
  readonly port: number | undefined;
  readonly host: string;
  readonly publicUrl: string | undefined;
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}

/** Parses the STUDIO_* variables; throws ConfigError naming each bad one. A bind beyond this machine needs STUDIO_PUBLIC_URL. */
export function loadStudioConfig(env: Record<string, string | undefined> = process.env): StudioConfig {
  const parsed = studioSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue): ConfigProblem => ({ variable: String(issue.path[0]), message: issue.message })),
    );
  const { STUDIO_PORT: port, STUDIO_HOST: host, STUDIO_PUBLIC_URL: publicUrl } = parsed.data;
  if (!isLoopback(host) && publicUrl === undefined) {
    throw new ConfigError([
      {
        variable: "STUDIO_HOST",
        message: `is ${host}, which other machines can reach: set STUDIO_PUBLIC_URL to the https:// address of a reverse proxy in front of it (docs/studio.md), or keep 127.0.0.1 and use an SSH tunnel`,
      },
    ]);
  }
  return { port, host, publicUrl: publicUrl?.replace(/\/+$/, "") };
}

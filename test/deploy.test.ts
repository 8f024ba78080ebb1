/**
 * The production files in deploy/. Images cannot be built on these machines (no registry for
 * base images), so this checks what can be checked here: each runs the bot exactly as
 * `npm start` does, and each gives the bot's own shutdown the time it needs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SHUTDOWN_GRACE_MS } from "../src/discord/bot.js";
import { SHARD_STOP_TIMEOUT_MS } from "../src/discord/shards.js";
import { startScriptNodeArgs } from "./helpers/bot-process.js";

const REPO = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(REPO, file), "utf8");
const START_COMMAND = ["node", ...startScriptNodeArgs(), "dist/main.js"];
/** The longest the bot takes to stop on SIGTERM: the shard manager's wait covers each shard's grace. */
const LONGEST_SHUTDOWN_MS = Math.max(SHARD_STOP_TIMEOUT_MS, SHUTDOWN_GRACE_MS);

/** Dockerfile instructions, with backslash-continued lines joined. */
function instructions(dockerfile: string): Array<{ keyword: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim() && !line.trimStart().startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

describe("deploy/Dockerfile", () => {
  const steps = instructions(read("deploy/Dockerfile"));
  const runStage = steps.slice(steps.findLastIndex((s) => s.keyword === "FROM"));

  it("builds in one Node 24 slim stage and runs in another, with no compiler installed", () => {
    const bases = steps.filter((s) => s.keyword === "FROM").map((s) => s.args);
    expect(bases).toEqual(["node:24-bookworm-slim AS build", "node:24-bookworm-slim"]);
    expect(
      steps
        .filter((s) => s.keyword === "RUN")
        .map((s) => s.args)
        .join("\n"),
    ).not.toMatch(/apt-get|g\+\+|python3/);
    expect(steps.some((s) => s.keyword === "RUN" && s.args.includes("npm prune --omit=dev"))).toBe(true);
  });

  it("runs the start script's command as a non-root user, with data/ as a volume", () => {
    const cmd = runStage.find((s) => s.keyword === "CMD");
    expect(JSON.parse(cmd!.args)).toEqual(START_COMMAND);
    expect(runStage.find((s) => s.keyword === "USER")?.args).toBe("node");
    expect(runStage.find((s) => s.keyword === "VOLUME")?.args).toBe('["/app/data"]');
  });

  it("checks /healthz on the METRICS_PORT it sets", () => {
    const env = runStage.find((s) => s.keyword === "ENV")!.args;
    expect(env).toMatch(/METRICS_PORT=\d+/);
    expect(runStage.find((s) => s.keyword === "HEALTHCHECK")?.args).toMatch(/process\.env\.METRICS_PORT\}\/healthz/);
  });
});

describe("deploy/compose.yaml", () => {
  const compose = parse(read("deploy/compose.yaml"));

  it("builds the bot from deploy/Dockerfile with a health check on /healthz at its METRICS_PORT", () => {
    const bot = compose.services.masque;
    expect(bot.build).toEqual({ context: "..", dockerfile: "deploy/Dockerfile" });
    expect(bot.healthcheck.test.join(" ")).toContain(`127.0.0.1:${bot.environment.METRICS_PORT}/healthz`);
    expect(bot.volumes).toContain("masque-data:/app/data");
    expect(Number.parseInt(bot.stop_grace_period, 10) * 1000).toBeGreaterThan(LONGEST_SHUTDOWN_MS);
  });

  it("offers Ollama only under its profile, reachable by its service name", () => {
    expect(compose.services.ollama.profiles).toEqual(["ollama"]);
    expect(compose.services.masque.depends_on.ollama.required).toBe(false);
    expect(read("deploy/compose.yaml")).toContain("OPENAI_BASE_URL=http://ollama:11434/v1");
  });
});

describe("deploy/masque.service", () => {
  const unit = read("deploy/masque.service");
  const setting = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(unit)?.[1];

  it("runs node directly with the start script's flags, not npm", () => {
    const [node, ...args] = setting("ExecStart")!.split(" ");
    expect(path.basename(node!)).toBe("node");
    expect(["node", ...args]).toEqual(START_COMMAND);
  });

  it("restarts on failure, reads an EnvironmentFile, and outwaits the bot's own shutdown", () => {
    expect(setting("Restart")).toBe("on-failure");
    expect(setting("EnvironmentFile")).toBe("/opt/masque/.env");
    expect(Number(setting("TimeoutStopSec")) * 1000).toBeGreaterThan(LONGEST_SHUTDOWN_MS);
  });
});

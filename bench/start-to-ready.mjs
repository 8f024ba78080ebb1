// Times a start command from spawn to the bot's "ready" log line, several times, and prints
// each time and the median. Run it in a checkout whose .env points at a Discord (or the fake:
// `npx tsx test/fakes/serve-discord.ts`) and a model (`npx tsx test/fakes/serve-model.ts`):
//   node bench/start-to-ready.mjs [runs] [command]       (default: 5 runs of "npm start")
import { spawn } from "node:child_process";

const [runs = "5", command = "npm start"] = process.argv.slice(2);
const READY = /ready as/;

/** Milliseconds from spawn to the ready line; then stops the whole process group. */
async function timeOnce() {
  const started = performance.now();
  const child = spawn("sh", ["-c", `exec ${command}`], {
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  let output = "";
  await new Promise((resolve, reject) => {
    const onData = (data) => {
      output += data;
      if (READY.test(output)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => reject(new Error(`exited before ready:\n${output}`)));
  });
  const elapsed = performance.now() - started;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  await exited;
  return elapsed;
}

const times = [];
for (let i = 0; i < Number(runs); i++) times.push(await timeOnce());
times.sort((a, b) => a - b);
console.log(
  `${command}: start-to-ready ${times.map((t) => t.toFixed(0)).join(", ")} ms; median ${times[Math.floor(times.length / 2)].toFixed(0)} ms`,
);

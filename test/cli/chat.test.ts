import { readFileSync } from "node:fs";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "vitest";
import { NOTE_CLOSING, NOTE_OPENING } from "../../src/chat/prompt.js";
import { REPLY_NOTES } from "../../src/texts.js";
import { loadPersonas } from "../../src/personas/registry.js";
import { type FakeModelServer, startFakeModelServer } from "../fakes/openai-server.js";
import { createTempDir, removeTempDir } from "../helpers/temp-dir.js";
import { REPO_ROOT, runChatCli } from "../helpers/run-cli.js";

const SHIPPED_PERSONAS_DIR = path.join(REPO_ROOT, "personas");
/** Two runs of the chat, each starting tsx and loading the tokenizer: slow on a loaded machine. */
const TWO_RUNS_TIMEOUT_MS = 60_000;
const SHIPPED = loadPersonas(SHIPPED_PERSONAS_DIR, "assistant");
const QUILL_GREETING = SHIPPED.get("quill")!.greeting!;
const THEO_GREETING = SHIPPED.get("tutor")!.greeting!;
const JUNIPER_GREETING = SHIPPED.get("assistant")!.greeting!;
/** A line of a Node stack trace; none should reach someone who only got a setting wrong. */
const STACK_LINE = /^ {4}at /m;

/** A temp folder and a fake model server for one test, both gone when it finishes. */
async function sandbox({
  onTestFinished,
}: TestContext): Promise<{ dir: string; model: FakeModelServer; env: Record<string, string> }> {
  const dir = createTempDir();
  const model = await startFakeModelServer();
  onTestFinished(async () => {
    await model.close();
    removeTempDir(dir);
  });
  const env = {
    OPENAI_BASE_URL: model.baseURL,
    DEFAULT_MODEL: "fake-model",
    PERSONAS_DIR: SHIPPED_PERSONAS_DIR,
    DATABASE_PATH: path.join(dir, "data", "masque.db"),
    // dotenv would otherwise read a developer's .env from the repository root.
    DOTENV_CONFIG_PATH: path.join(dir, "no.env"),
  };
  return { dir, model, env };
}

describe("npm run chat", () => {
  it(
    "streams replies, lists and switches personas, and remembers the conversation across runs",
    async (context) => {
      const { expect } = context;
      const { model, env } = await sandbox(context);
      model.enqueue(
        { text: "Ahoy there, Sam!", chunkSize: 4 },
        { text: "What do you think it is?", chunkSize: 4 },
        { text: "You're welcome.", chunkSize: 4 },
      );

      const first = await runChatCli(["--persona", "quill", "--name", "Sam"], {
        env,
        input: "hello there\n/personas\n/persona tutor\nwhat is 2+2\n/exit\n",
      });

      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("Talking to Captain Quill (quill) as Sam.\n");
      expect(first.stdout).toContain("Captain Quill: Ahoy there, Sam!\n");
      expect(first.stdout).toContain("* quill          Captain Quill — A salty sea captain");
      expect(first.stdout).toContain("  tutor          Professor Theo — Socratic tutor.");
      expect(first.stdout).toContain("Now talking to Professor Theo.\n");
      expect(first.stdout).toContain("Professor Theo: What do you think it is?\n");

      const [toQuill, toTheo] = model.chatRequests();
      expect(toQuill?.body.model).toBe("fake-model");
      expect(toQuill?.body.temperature).toBe(0.95);
      // Each greeting is shown and kept as the persona's first words, so the model sees the scene it set.
      expect(first.stdout).toContain(`Captain Quill: ${QUILL_GREETING}\n`);
      expect(first.stdout).toContain(`Professor Theo: ${THEO_GREETING}\n`);
      expect(toQuill?.body.messages.slice(1)).toEqual([
        { role: "assistant", content: QUILL_GREETING },
        { role: "user", content: "Sam: hello there" },
      ]);
      expect(toQuill?.headers.authorization).toBe("Bearer not-needed");
      expect(toTheo?.body.temperature).toBe(0.6);
      expect(toTheo?.body.messages[0].content).toMatch(/^You are Professor Theo, a tutor in Terminal\./);
      expect(toTheo?.body.messages.slice(1)).toEqual([
        {
          role: "user",
          content: `Captain Quill (another persona): ${QUILL_GREETING}\nSam: hello there\nCaptain Quill (another persona): Ahoy there, Sam!`,
        },
        { role: "assistant", content: THEO_GREETING },
        { role: "user", content: "Sam: what is 2+2" },
      ]);

      const second = await runChatCli(["--name", "Sam"], { env, input: "thanks\n" });

      expect(second.code).toBe(0);
      expect(second.stdout).toContain("Talking to Professor Theo (tutor) as Sam. 6 earlier turns remembered.\n");
      expect(second.stdout).toContain("Professor Theo: You're welcome.\n");
      expect(model.chatRequests()[2]?.body.messages.slice(1)).toEqual([
        {
          role: "user",
          content: `Captain Quill (another persona): ${QUILL_GREETING}\nSam: hello there\nCaptain Quill (another persona): Ahoy there, Sam!`,
        },
        { role: "assistant", content: THEO_GREETING },
        { role: "user", content: "Sam: what is 2+2" },
        { role: "assistant", content: "What do you think it is?" },
        { role: "user", content: "Sam: thanks" },
      ]);
    },
    TWO_RUNS_TIMEOUT_MS,
  );

  it("keeps a cast with /cast, and each persona a line names answers in turn, under its own name", async (context) => {
    const { expect } = context;
    const { model, env } = await sandbox(context);
    model.enqueue({ text: "A tale, then." }, { text: "Arr, a true one." }, { text: "Hello, Sam." });

    const run = await runChatCli(["--persona", "assistant", "--name", "Sam"], {
      env,
      input:
        "/cast add bard\n/cast add quill\n/cast add bard\n/cast add nobody\n/cast\nWren and Quill, tell me a tale.\n/cast remove quill\nhello\n",
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Wren the Bard joins the cast: start a message with its name to talk to it.\n");
    expect(run.stdout).toContain("Wren the Bard is in the cast already.\n");
    expect(run.stdout).toContain('There is no persona called "nobody". Try /personas.\n');
    expect(run.stdout).toContain("Cast: Juniper (lead), Wren the Bard, Captain Quill.\n");
    expect(run.stdout).toContain("Wren the Bard: A tale, then.\n\nCaptain Quill: Arr, a true one.\n");
    expect(run.stdout).toContain("Captain Quill left the cast.\n");
    expect(run.stdout).toContain("Juniper: Hello, Sam.\n");
    const [toWren, toQuill, toJuniper] = model.chatRequests().map((r) => r.body);
    expect(toWren.messages[0].content).toContain("you speak only as Wren the Bard");
    expect(toQuill.messages[0].content).toContain("you speak only as Captain Quill");
    // Juniper's greeting opens the conversation; Wren's reply follows Sam's line as another persona's.
    expect(toQuill.messages.at(-1)).toEqual({
      role: "user",
      content: `Juniper (another persona): ${JUNIPER_GREETING}\nSam: Wren and Quill, tell me a tale.\nWren the Bard (another persona): A tale, then.`,
    });
    expect(toJuniper.messages[0].content).toContain("you speak only as Juniper");
  });

  it("opens with a card's greeting for the person at the terminal, and sends it and the lore SillyTavern would trigger to the model", async (context) => {
    const { expect } = context;
    const { dir, model, env } = await sandbox(context);
    const personas = path.join(dir, "personas");
    mkdirSync(personas);
    copyFileSync(path.join(SHIPPED_PERSONAS_DIR, "assistant.md"), path.join(personas, "assistant.md"));
    // A V2 card with a selective lorebook (spec_v2.md character_book; SillyTavern's extensions.selectiveLogic: 0 AND ANY, 2 NOT ANY).
    const entry = (keys: string[], content: string, extra: object = {}) => ({
      keys,
      content,
      enabled: true,
      insertion_order: 100,
      extensions: {},
      ...extra,
    });
    const card = {
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: {
        name: "Amy",
        description: "{{char}} runs the night shift.",
        first_mes: "As {{user}} logs in, {{char}} looks up.",
        character_book: {
          entries: [
            entry(["reactor"], "The reactor is old.", { insertion_order: 10 }),
            entry(["reactor"], "The alarm means a leak.", {
              secondary_keys: ["alarm"],
              selective: true,
              insertion_order: 20,
            }),
            entry(["reactor"], "All is quiet.", {
              secondary_keys: ["alarm"],
              selective: true,
              extensions: { selectiveLogic: 2 },
            }),
            entry(["reactor"], "Disabled lore.", { enabled: false }),
          ],
        },
      },
    };
    writeFileSync(path.join(personas, "amy.json"), JSON.stringify(card));
    model.enqueue({ text: "Checking." });

    const run = await runChatCli(["--persona", "amy", "--name", "Sam"], {
      env: { ...env, PERSONAS_DIR: personas },
      input: "is the reactor alarm on?\n",
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Amy: As Sam logs in, Amy looks up.\n");
    const [request] = model.chatRequests();
    // Keyed lore changes with every message, so it is a note after the new message, not part of the system prompt.
    expect(request?.body.messages[0].content).not.toContain("reactor");
    expect(request?.body.messages.slice(1)).toEqual([
      { role: "assistant", content: "As Sam logs in, Amy looks up." },
      {
        role: "user",
        content: `Sam: is the reactor alarm on?\n${NOTE_OPENING}\nBackground lore (use it when relevant):\n- The reactor is old.\n- The alarm means a leak.\n${NOTE_CLOSING}`,
      },
    ]);
  });

  it("shows a model failure in plain words and keeps the session going", async (context) => {
    const { expect } = context;
    const { dir, model, env } = await sandbox(context);
    // The second reply is cut by the model's output limit: the terminal says so too.
    model.enqueue({ status: 401 }, { text: "Hello again.", finishReason: "length" });

    const run = await runChatCli(["--persona", "assistant", "--name", "Sam"], { env, input: "hi\nstill there?\n" });

    expect(run.code).toBe(0);
    const logFile = path.join(dir, "data", "chat.log");
    expect(run.stdout).toContain(
      `Juniper: \n[My language model refused my credentials. Please tell the server admin.] (details in ${logFile})\n`,
    );
    expect(run.stdout).toContain(`Juniper: Hello again.\n[${REPLY_NOTES.cut.length}]\n`);
    expect(model.chatRequests().map((r) => r.body.messages.at(-1))).toEqual([
      { role: "user", content: "Sam: hi" },
      { role: "user", content: "Sam: hi\nSam: still there?" },
    ]);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("with the model down, shows one plain line and keeps log lines out of the conversation", async (context) => {
    const { expect } = context;
    const { dir, env } = await sandbox(context);
    const stopped = await startFakeModelServer();
    const downUrl = stopped.baseURL;
    await stopped.close(); // nothing listens there any more: connection refused, as with Ollama not started

    const run = await runChatCli(["--persona", "assistant", "--name", "Sam"], {
      env: { ...env, OPENAI_BASE_URL: downUrl, MODEL_MAX_RETRIES: "0" },
      input: "hi\n",
      timeoutMs: 40_000,
    });

    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const logFile = path.join(dir, "data", "chat.log");
    const afterName = run.stdout.slice(run.stdout.indexOf("Juniper: \n"));
    expect(afterName).toMatch(
      new RegExp(
        `^Juniper: \\n\\[[^\\n{]+\\] \\(details in ${logFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\)\\n\\n$`,
      ),
    );
    expect(run.stdout).not.toContain('"level"');
    expect(readFileSync(logFile, "utf8")).toContain('"msg":"model call failed"');
  }, 60_000);

  it("refuses an unknown --persona, listing the ones there are", async (context) => {
    const { expect } = context;
    const { env } = await sandbox(context);

    const run = await runChatCli(["--persona", "nobody"], { env });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'There is no persona called "nobody". Available: assistant, bard, quill, reviewer, tutor\n',
    );
  });

  it("exits non-zero on a bad setting, naming the variable without a stack trace", async (context) => {
    const { expect } = context;
    const { dir, env } = await sandbox(context);

    const run = await runChatCli([], { env: { ...env, CONTEXT_TOKENS: "abc", PERSONAS_DIR: dir } });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "Invalid configuration:\n" +
        "  - CONTEXT_TOKENS: must be a whole number of at least 512; it is the model's context window you want to use, e.g. 8000\n" +
        "Fix the values in your .env file (see .env.example) or the environment, then start again.\n",
    );
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("exits non-zero when the default persona is missing, without a stack trace", async (context) => {
    const { expect } = context;
    const { dir, env } = await sandbox(context);

    const run = await runChatCli([], { env: { ...env, PERSONAS_DIR: dir } });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `The default persona "assistant" was not found: there is no ${path.join(dir, "assistant.md")}. Create it, or set DEFAULT_PERSONA to one of: (no personas loaded).\n`,
    );
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

/** A run holding a four-line scene: five model calls' worth of streaming after tsx starts, slow on a loaded machine. */
const SCENE_RUN_TIMEOUT_MS = 45_000;

describe("npm run chat: a scene", () => {
  it(
    "runs a scene with two personas of the conversation's cast, each line under its name, neither speaking twice in a row",
    async (context) => {
      const { expect } = context;
      const { model, env } = await sandbox(context);
      // Each line says who wrote it, read from the scene's direction ("Write <name>'s next line").
      model.setDefault((req) => ({
        text: `${/Write (.+?)'s next line/.exec(req.body.messages.at(-1).content)![1]} has the floor.`,
        chunkSize: 6,
      }));

      const run = await runChatCli(["--persona", "quill", "--name", "Sam"], {
        env,
        input: "/scene nobody to talk to\n/cast add tutor\n/scene whether the lighthouse is haunted 4\n/scene\n/exit\n",
        timeoutMs: SCENE_RUN_TIMEOUT_MS,
      });

      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      // Quill leads (--persona); alone it cannot hold a scene, with Theo in the cast it can.
      expect(run.stdout).toContain(
        "A scene needs at least two personas in this conversation: add one with /cast add <id>.\n",
      );
      expect(run.stdout).toContain(
        "[Scene: whether the lighthouse is haunted — Captain Quill, Professor Theo, 4 line(s). Ctrl+C stops it.]\n",
      );
      const lines = run.stdout.split("\n").filter((line) => / has the floor\.$/.test(line));
      expect(lines).toHaveLength(4);
      const first = lines[0]!.startsWith("Captain Quill: ") ? 0 : 1;
      const pair = ["Captain Quill: Captain Quill has the floor.", "Professor Theo: Professor Theo has the floor."];
      expect(lines).toEqual([0, 1, 2, 3].map((i) => pair[(first + i) % 2]));
      expect(run.stdout).toContain("[Scene finished after 4 line(s).]\n");
      expect(run.stdout).toContain("Usage: /scene <topic> [turns]");
      expect(model.chatRequests()).toHaveLength(4);
    },
    TWO_RUNS_TIMEOUT_MS,
  );
});

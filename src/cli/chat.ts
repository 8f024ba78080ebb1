import "../load-env.js";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { pino } from "pino";
import type { ReplySink } from "../chat/engine.js";
import { PromptTooLongError } from "../chat/prompt.js";
import { REPLY_NOTES } from "../texts.js";
import { ConfigError, loadCoreConfig } from "../config.js";
import { type Core, createCore } from "../core.js";
import { ModelError } from "../llm/errors.js";
import { createLogger, type Logger } from "../log.js";
import { DatabaseError } from "../memory/db.js";
import { pickGreeting, renderGreeting } from "../personas/greetings.js";
import { type Persona, PersonaError } from "../personas/persona.js";
import { recordReply } from "../chat/journal.js";
import { answerInTurn, castCommand } from "./chat-cast.js";
import { runTerminalScene } from "./chat-scene.js";

/** Names the macros use for where the terminal chat happens. */
const TERMINAL_PLACE = { server: "Terminal", channel: "terminal" } as const;

/**
 * Shows one of the persona's greetings, {{user}} being the person at the terminal, and keeps
 * it as the persona's first words in the conversation, so the first reply knows the scene
 * (the way /persona set records it in Discord).
 */
function greet(core: Core, persona: Persona, conversationKey: string, userName: string): void {
  const greeting = pickGreeting(persona);
  if (!greeting) return;
  const text = renderGreeting(persona, greeting.text, { user: userName, ...TERMINAL_PLACE, date: new Date() });
  recordReply(core.memory.turns, {
    conversation: { key: conversationKey },
    persona,
    userTurns: [],
    text,
    complete: true,
    messageIds: [],
  });
  console.log(`${persona.name}: ${text}\n`);
}

const HELP = `Commands: /persona <id> to switch, /personas to list, /cast add|remove <id> for more personas, /scene <topic> [turns] for the cast to talk among themselves, /help, /exit (or Ctrl+D).`;
/** `/scene <topic> [turns]`, handled apart from the other commands: it runs for a while. */
const SCENE_COMMAND = /^\/scene(?:\s|$)/;

function usage(): string {
  return "Usage: npm run chat -- [--persona <id>] [--name <your name>] [--conversation <name>]";
}

/** Handles one `/command` line; returns false when the session should end. */
function runCommand(
  core: Core,
  line: string,
  state: { personaId: string; conversationKey: string; userName: string },
): boolean {
  const [command, arg, ...rest] = line.slice(1).trim().split(/\s+/);
  const registry = core.personas();
  switch (command) {
    case "exit":
    case "quit":
      return false;
    case "personas":
      for (const p of registry.list()) {
        console.log(`${p.id === state.personaId ? "*" : " "} ${p.id.padEnd(14)} ${p.name} — ${p.description}`);
      }
      return true;
    case "persona": {
      const persona = arg ? registry.get(arg) : undefined;
      if (!persona) {
        console.log(
          arg
            ? `There is no persona called "${arg}". Try /personas.`
            : `Active persona: ${state.personaId}. Use /persona <id> to switch.`,
        );
        return true;
      }
      state.personaId = persona.id;
      core.memory.personaChoices.setConversationPersona(state.conversationKey, persona.id, "terminal");
      console.log(`Now talking to ${persona.name}.\n`);
      greet(core, persona, state.conversationKey, state.userName);
      return true;
    }
    case "cast":
      console.log(
        `${castCommand(
          core,
          state.conversationKey,
          [arg, ...rest].filter((word) => word !== undefined),
        )}\n`,
      );
      return true;
    default:
      console.log(HELP);
      return true;
  }
}

/** The chat's log file, beside the database: log lines never land in the middle of the conversation. */
function chatLogFile(databasePath: string): string {
  const folder = databasePath === ":memory:" ? os.tmpdir() : path.dirname(databasePath);
  return path.join(folder, "chat.log");
}

function createChatLogger(level: string, file: string): Logger {
  return createLogger(level, { stream: pino.destination({ dest: file, append: true, mkdir: true, sync: true }) });
}

/** Shows a reply on stdout as it streams; a failure is one plain line in brackets, its details go to the log file. */
function terminalSink(core: Core, logFile: string): ReplySink {
  return {
    write: (piece) => void process.stdout.write(piece),
    end: async ({ error, cut }) => {
      if (error instanceof ModelError) {
        process.stdout.write(`\n[${error.userMessage}] (details in ${logFile})\n\n`);
        core.log.warn({ err: error.message, kind: error.name }, "model call failed");
      } else if (error instanceof PromptTooLongError) {
        process.stdout.write(
          `\n[That message is too long for my context (${error.tokens} tokens, ${error.limit} fit). Please shorten it.]\n\n`,
        );
      } else if (error) {
        throw error;
      } else {
        process.stdout.write(cut ? `\n[${REPLY_NOTES.cut[cut]}]\n\n` : "\n\n");
      }
      return { shown: true, messageIds: [] };
    },
  };
}

/**
 * Streams the reply to a line, each under its persona's name: the lead's, or each persona of
 * the cast the line names, in turn. A model failure is one plain line, its details go to the log file.
 */
async function answer(
  core: Core,
  line: string,
  state: { conversationKey: string; logFile: string },
  userName: string,
  onStart: (controller: AbortController) => void,
): Promise<void> {
  const sinkFor = (name: string) => {
    process.stdout.write(`${name}: `);
    return terminalSink(core, state.logFile);
  };
  const turn = { authorId: `cli:${userName}`, authorName: userName, content: line };
  await answerInTurn(core, { conversationKey: state.conversationKey, turn, place: TERMINAL_PLACE, sinkFor, onStart });
}

/** The terminal session: who is talking to which persona in which conversation, and where the log goes. */
interface ChatState {
  personaId: string;
  conversationKey: string;
  logFile: string;
  userName: string;
}

/** Handles one line typed at the prompt: a scene, another command, or a message to answer; false when the session should end. */
async function handleLine(
  core: Core,
  line: string,
  state: ChatState,
  onStart: (controller: AbortController) => void,
): Promise<boolean> {
  if (SCENE_COMMAND.test(line)) {
    const scene = {
      core,
      conversationKey: state.conversationKey,
      place: TERMINAL_PLACE,
      ending: terminalSink(core, state.logFile).end,
      onStart,
    };
    await runTerminalScene(line.slice("/scene".length), scene);
    return true;
  }
  if (line.startsWith("/")) return runCommand(core, line, state);
  if (line !== "") await answer(core, line, state, state.userName, onStart);
  return true;
}

/** The login name, or "you" where there is none (e.g. a container run with a bare uid). */
function systemUserName(): string {
  try {
    return os.userInfo().username || "you";
  } catch {
    return "you";
  }
}

type ChatArgs = ReturnType<typeof parseArgs>["values"];

/** The command line's options; undefined (after saying why) when they cannot be read. */
function readArgs(): ChatArgs | undefined {
  try {
    return parseArgs({
      options: {
        persona: { type: "string", short: "p" },
        name: { type: "string", short: "n" },
        conversation: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage()}`);
    return undefined;
  }
}

/**
 * Reads lines at the prompt and answers each until the input ends or a line ends the
 * session; Ctrl-C stops the reply being written, or ends the session when none is. Closes the core.
 */
async function converse(core: Core, state: ChatState): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let current: AbortController | undefined;
  rl.on("SIGINT", () => {
    if (current) current.abort();
    else rl.close();
  });

  // Piped input closes the interface while buffered lines are still being answered; from
  // Node 24 on, prompting a closed interface throws ERR_USE_AFTER_CLOSE.
  let isClosed = false;
  rl.once("close", () => (isClosed = true));
  rl.setPrompt(`${state.userName}> `);
  rl.prompt();
  try {
    // Iterating the interface buffers piped lines that arrive while a reply streams.
    for await (const raw of rl) {
      const goesOn = await handleLine(core, raw.trim(), state, (controller) => (current = controller));
      if (!goesOn) break;
      current = undefined;
      if (!isClosed) rl.prompt();
    }
  } finally {
    rl.close();
    core.close();
  }
}

async function main(): Promise<number> {
  const args = readArgs();
  if (!args) return 2;
  if (args.help) {
    console.log(`${usage()}\n${HELP}`);
    return 0;
  }

  const config = loadCoreConfig();
  const logFile = chatLogFile(config.databasePath);
  const core = createCore(config, createChatLogger(config.logLevel, logFile));
  const skipped = core.library.registry.problems.length;
  if (skipped > 0)
    console.error(`${skipped} problem(s) in persona files; those personas were skipped (details in ${logFile}).`);
  const userName = String(args.name ?? systemUserName());
  const state = { personaId: "", conversationKey: `cli:${String(args.conversation ?? "default")}`, logFile, userName };
  const conversation = { key: state.conversationKey };

  if (typeof args.persona === "string") {
    if (!core.personas().get(args.persona)) {
      console.error(
        `There is no persona called "${args.persona}". Available: ${core
          .personas()
          .list()
          .map((p) => p.id)
          .join(", ")}`,
      );
      core.close();
      return 2;
    }
    core.memory.personaChoices.setConversationPersona(state.conversationKey, args.persona, "terminal");
  }
  const { persona } = core.engine.resolvePersona(conversation);
  state.personaId = persona.id;
  const stored = core.memory.turns.count(state.conversationKey);
  console.log(
    `Talking to ${persona.name} (${persona.id}) as ${userName}.${stored > 0 ? ` ${stored} earlier turns remembered.` : ""}\n${HELP}\n`,
  );
  if (stored === 0) greet(core, persona, state.conversationKey, userName);

  await converse(core, state);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof PersonaError || error instanceof DatabaseError) {
      console.error(error.message);
      process.exit(1);
    }
    console.error("Unexpected error:", error);
    process.exit(1);
  },
);

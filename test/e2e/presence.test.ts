import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pngCard } from "../helpers/cards.js";
import { webhookUsername } from "../../src/discord/webhooks.js";
import { ALICE, BOB as BOB_USER, type Stack, startStack } from "../helpers/stack.js";
import { E2E_WAIT_MS } from "../helpers/e2e.js";

const V2_CARD = {
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Seraphina",
    description: "<BOT> is a forest guardian who speaks softly to {{user}}.",
    personality: "gentle, protective",
    scenario: "{{user}} wakes in her glade.",
    first_mes: "*Seraphina smiles.* You're safe now, <USER>.",
    mes_example:
      "<START>\n<USER>: Where am I?\n<BOT>: In my glade, traveller.\n<START>\n{{user}}: Who are you?\n{{char}}: A guardian of this forest.",
    creator_notes: "A gentle forest guardian.",
    system_prompt: "Write as {{char}} in gentle prose. {{original}}",
    post_history_instructions: "Stay gentle with {{user}}.",
    tags: ["fantasy"],
    character_book: {
      entries: [
        {
          keys: ["Eldoria"],
          content: "Eldoria is the ancient forest {{char}} protects.",
          enabled: true,
          insertion_order: 1,
        },
        {
          keys: [],
          content: "Magic in this world is quiet and slow.",
          enabled: true,
          constant: true,
          insertion_order: 2,
        },
        { keys: ["dragon"], content: "No dragon has been seen for a century.", enabled: false },
      ],
    },
  },
};

const V3_CARD = {
  spec: "chara_card_v3",
  spec_version: "3.0",
  data: {
    name: "Kestrel",
    description: "{{char}} is a starship pilot.",
    personality: "cocky",
    scenario: "",
    first_mes: "Strap in.",
    mes_example: "",
    tags: [],
  },
};

const V1_CARD = {
  name: "Moss",
  description: "{{char}} is a talking stone.",
  personality: "slow",
  scenario: "",
  first_mes: "...hello.",
  mes_example: "",
};

function copyPersonas(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "masque-personas-"));
  cpSync("personas", dir, { recursive: true });
  return dir;
}

async function ask(stack: Stack, content: string): Promise<{ role: string; content: string }[]> {
  const before = stack.model.chatRequests().length;
  stack.discord.postMessage({ channelId: stack.general, author: ALICE, content, mentionBot: true });
  await stack.model.waitForChatRequests(before + 1, E2E_WAIT_MS);
  await stack.discord.waitFor(
    () => stack.core.memory.turns.count(`channel:${stack.general}`) >= (before + 1) * 2,
    E2E_WAIT_MS,
  );
  await stack.bot.idle();
  return stack.model.chatRequests()[before]!.body.messages;
}

describe("persona presence: character cards and live editing", () => {
  let stack: Stack;
  let dir: string;
  beforeEach(() => {
    dir = copyPersonas();
  });
  afterEach(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads a PNG V2 card with its prompt, examples, post-history instructions, and lore triggered by a keyword", async () => {
    writeFileSync(path.join(dir, "Seraphina.png"), pngCard(V2_CARD));
    stack = await startStack({ personasDir: dir });
    const persona = stack.core.personas().get("seraphina")!;
    expect(persona).toMatchObject({
      name: "Seraphina",
      description: "A gentle forest guardian.",
      avatar: "Seraphina.png",
      greeting: "*Seraphina smiles.* You're safe now, {{user}}.",
    });
    expect(persona.examples).toEqual([
      { user: "Where am I?", assistant: "In my glade, traveller." },
      { user: "Who are you?", assistant: "A guardian of this forest." },
    ]);
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "seraphina");

    let messages = await ask(stack, "hello");
    const system = messages[0]!.content;
    expect(system).toMatch(
      /^Write as Seraphina in gentle prose\. Seraphina is a forest guardian who speaks softly to Ali\.\n\nSeraphina's personality: gentle, protective\n\nScenario: Ali wakes in her glade\./,
    );
    expect(system).toContain("Ali: Where am I?\nSeraphina: In my glade, traveller.");
    expect(system).toContain("- Magic in this world is quiet and slow.");
    expect(system).not.toContain("Eldoria");
    expect(system).not.toContain("dragon");
    expect(messages.at(-1)).toEqual({ role: "system", content: "Stay gentle with Ali." });

    // Lore a key triggers changes with the message, so it is in the note just after it (the post-history instructions still last).
    messages = await ask(stack, "Tell me about Eldoria");
    expect(messages[0]!.content).not.toContain("Eldoria is");
    expect(messages.at(-2)!.content).toMatch(
      /^Ali: Tell me about Eldoria\n\[Notes from memory[^\n]*\]\nBackground lore \(use it when relevant\):\n- Eldoria is the ancient forest Seraphina protects\.\n\[End of notes\.\]$/,
    );
  });

  it("loads V3 (ccv3 wins over chara in a PNG), V2 and V1 JSON cards", async () => {
    writeFileSync(
      path.join(dir, "kestrel.png"),
      pngCard(V3_CARD, "ccv3", { chara: { ...V2_CARD.data, name: "Wrong Name" } }),
    );
    writeFileSync(path.join(dir, "seraphina.json"), JSON.stringify(V2_CARD));
    writeFileSync(path.join(dir, "moss.json"), JSON.stringify(V1_CARD));
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
    stack = await startStack({ personasDir: dir });
    const personas = stack.core.personas();
    expect(personas.get("kestrel")).toMatchObject({
      name: "Kestrel",
      prompt: "{{char}} is a starship pilot.",
      personality: "cocky",
      greeting: "Strap in.",
    });
    expect(personas.get("seraphina")).toMatchObject({ name: "Seraphina", avatar: undefined });
    expect(personas.get("moss")).toMatchObject({ name: "Moss", greeting: "...hello." });
    expect(personas.problems.map((p) => `${path.basename(p.file)}: ${p.field}`)).toEqual(["broken.json: card"]);

    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "kestrel");
    const messages = await ask(stack, "ready?");
    expect(messages[0]!.content).toMatch(/^Kestrel is a starship pilot\./);
  });

  it("picks up an edited persona file for the next reply without a restart, and keeps the last good version of a broken edit", async () => {
    stack = await startStack({ personasDir: dir });
    const file = path.join(dir, "assistant.md");
    const original = readFileSync(file, "utf8");
    expect((await ask(stack, "one"))[0]!.content).toContain("You are Juniper");

    writeFileSync(file, original.replace("name: Juniper", "name: Juniper Two"));
    await stack.discord.waitFor(() => stack.core.personas().default.name === "Juniper Two", 3000);
    expect((await ask(stack, "two"))[0]!.content).toContain("You are Juniper Two");

    writeFileSync(file, original.replace("name: Juniper", "name: [unclosed"));
    await stack.discord.waitFor(() => stack.logLines.some((l) => l.includes("keeping the last good version")), 3000);
    expect(stack.core.personas().default.name).toBe("Juniper Two");
  });

  it("adds and removes personas live; a removed persona's channel falls back to the server default", async () => {
    stack = await startStack({ personasDir: dir });
    writeFileSync(path.join(dir, "moss.json"), JSON.stringify(V1_CARD));
    await stack.discord.waitFor(() => stack.core.personas().get("moss"), 3000);
    stack.core.memory.personaChoices.setGuildPersona(stack.guild.id, "tutor");
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "moss");
    expect((await ask(stack, "hi stone"))[0]!.content).toMatch(/^Moss is a talking stone\./);

    unlinkSync(path.join(dir, "moss.json"));
    await stack.discord.waitFor(() => !stack.core.personas().get("moss"), 3000);
    expect((await ask(stack, "still there?"))[0]!.content).toContain("You are Professor Theo");
    expect(stack.logLines.some((l) => l.includes("personas removed") && l.includes("moss"))).toBe(true);
  });
});

describe("persona presence: webhook identity", () => {
  let stack: Stack;
  let dir: string;
  const isWebhookCreate = (channelId: string) => (c: { method: string; path: string }) =>
    c.method === "POST" && c.path === `/channels/${channelId}/webhooks`;
  const isWebhookExecute = (c: { method: string; path: string }) =>
    c.method === "POST" && /^\/webhooks\/\d+\/[^/]+$/.test(c.path);
  const isWebhookEdit = (c: { method: string; path: string }) =>
    c.method === "PATCH" && /^\/webhooks\/\d+\/[^/]+\/messages\/\d+$/.test(c.path);

  beforeEach(() => {
    dir = copyPersonas();
  });
  afterEach(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts through one webhook per channel with the persona's name and avatar URL, and streams by editing it", async () => {
    writeFileSync(
      path.join(dir, "quill.md"),
      readFileSync(path.join(dir, "quill.md"), "utf8").replace(
        "name: Captain Quill",
        "name: Captain Quill\navatar: https://example.invalid/quill.png",
      ),
    );
    stack = await startStack({ personasDir: dir, env: { PERSONA_WEBHOOKS: "true" } });
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "quill");
    const chunks = ["Arr, ", "the sea ", "be calm ", "today, ", "and the ", "wind be ", "kind, ", "matey."];
    stack.model.enqueue({ chunks, chunkDelayMs: 300 });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "how's the sea?", mentionBot: true });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();

    expect(stack.discord.calls.filter(isWebhookCreate(stack.general))).toHaveLength(1);
    const executes = stack.discord.calls.filter(isWebhookExecute);
    expect(executes).toHaveLength(1);
    expect(executes[0]!.body).toMatchObject({
      username: "Captain Quill",
      avatar_url: "https://example.invalid/quill.png",
      allowed_mentions: { parse: [] },
    });
    expect(stack.discord.calls.filter(isWebhookEdit).length).toBeGreaterThanOrEqual(1);
    const posted = stack.discord.channelMessages(stack.general).filter((m) => m.webhook_id);
    expect(posted.map((m) => [m.content, (m.author as { username: string }).username])).toEqual([
      [chunks.join(""), "Captain Quill"],
    ]);
    // Its own webhook message came back as MESSAGE_CREATE and was not answered; it is stored as Quill's turn.
    expect(stack.model.chatRequests()).toHaveLength(1);
    expect(stack.core.memory.turns.findByMessageId(posted[0]!.id)).toMatchObject({
      role: "assistant",
      personaId: "quill",
      content: chunks.join(""),
    });
  });

  it("makes an image file in personas/ the webhook's avatar, and uses the parent's webhook in a thread", async () => {
    mkdirSync(path.join(dir, "avatars"));
    writeFileSync(path.join(dir, "avatars", "bard.png"), Buffer.from("89504e470d0a1a0a", "hex"));
    writeFileSync(
      path.join(dir, "bard.md"),
      readFileSync(path.join(dir, "bard.md"), "utf8").replace(
        "name: Wren the Bard",
        "name: Wren the Bard\navatar: avatars/bard.png",
      ),
    );
    stack = await startStack({ personasDir: dir, env: { PERSONA_WEBHOOKS: "true" } });
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "bard");
    const thread = stack.guild.channelId("ideas");
    stack.model.setDefault({ text: "Once upon a time." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "a tale!", mentionBot: true });
    stack.discord.postMessage({
      channelId: thread,
      author: BOB_USER,
      content: "a tale in the thread!",
      mentionBot: true,
    });
    await stack.discord.waitFor(
      () =>
        stack.core.memory.turns.count(`channel:${thread}`) >= 2 &&
        stack.core.memory.turns.count(`channel:${stack.general}`) >= 2,
      E2E_WAIT_MS,
    );
    await stack.bot.idle();

    expect(stack.discord.calls.filter(isWebhookCreate(stack.general))).toHaveLength(1);
    const avatarEdits = stack.discord.calls.filter(
      (c) => c.method === "PATCH" && /^\/webhooks\/\d+(\/[^/]+)?$/.test(c.path),
    );
    expect(avatarEdits.length).toBe(1);
    expect(avatarEdits[0]!.body.avatar).toBe(
      `data:image/png;base64,${Buffer.from("89504e470d0a1a0a", "hex").toString("base64")}`,
    );
    const executes = stack.discord.calls.filter(isWebhookExecute);
    expect(executes.map((c) => c.query.thread_id ?? "channel").sort()).toEqual(["channel", thread].sort());
    expect(executes.every((c) => c.body.username === "Wren the Bard" && c.body.avatar_url === undefined)).toBe(true);
    expect(
      stack.discord
        .channelMessages(thread)
        .filter((m) => m.webhook_id)
        .map((m) => m.content),
    ).toEqual(["Once upon a time."]);
  });

  it("falls back to normal messages when the channel has no room for another webhook, and says why in the log", async () => {
    stack = await startStack({ personasDir: dir, env: { PERSONA_WEBHOOKS: "true" } });
    stack.discord.injectError({
      method: "POST",
      route: /^\/channels\/\d+\/webhooks$/,
      status: 400,
      body: { code: 30007, message: "Maximum number of webhooks reached (15)" },
    });
    stack.model.enqueue({ text: "Plain message instead." });
    const asked = stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "hi",
      mentionBot: true,
    });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    const post = stack.discord.calls.find(
      (c) => c.method === "POST" && c.path === `/channels/${stack.general}/messages`,
    )!;
    expect(post.body).toMatchObject({ content: "Plain message instead.", message_reference: { message_id: asked.id } });
    expect(stack.discord.calls.some(isWebhookExecute)).toBe(false);
    expect(
      stack.logLines.some((l) =>
        l.includes("persona webhooks unavailable: the channel has no room for another webhook"),
      ),
    ).toBe(true);
  });

  it("recreates a deleted webhook once, and continues with the persona whose message is replied to", async () => {
    stack = await startStack({ personasDir: dir, env: { PERSONA_WEBHOOKS: "true" } });
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "quill");
    stack.model.enqueue({ text: "Quill here." }, { text: "Still Quill." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "captain?", mentionBot: true });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    const quillMessage = stack.discord.channelMessages(stack.general).find((m) => m.webhook_id)!;

    // Someone deletes the webhook, and an admin switches the channel to another persona.
    const response = await fetch(`${stack.discord.apiUrl}/v10/webhooks/${quillMessage.webhook_id}`, {
      method: "DELETE",
      headers: { authorization: `Bot ${stack.discord.token}` },
    });
    expect(response.status).toBe(204);
    stack.core.memory.personaChoices.setConversationPersona(`channel:${stack.general}`, "tutor");

    stack.discord.postMessage({
      channelId: stack.general,
      author: ALICE,
      content: "and then?",
      replyToId: quillMessage.id,
    });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 4, E2E_WAIT_MS);
    await stack.bot.idle();
    expect(stack.model.chatRequests()[1]!.body.messages[0].content).toContain("You are Captain Quill");
    expect(stack.discord.calls.filter(isWebhookCreate(stack.general))).toHaveLength(2);
    const texts = stack.discord
      .channelMessages(stack.general)
      .filter((m) => m.webhook_id)
      .map((m) => m.content);
    expect(texts).toEqual(["Quill here.", "Still Quill."]);
  });

  it("sanitises webhook usernames as Discord requires", () => {
    expect(webhookUsername("Discord Helper")).toBe("D\u200biscord Helper");
    expect(webhookUsername("  Clyde   the  Bot ")).toBe("C\u200blyde the Bot");
    expect(webhookUsername("everyone")).toBe("everyone\u200b");
    expect(webhookUsername("x".repeat(100))).toBe("x".repeat(80));
    expect(webhookUsername("   ")).toBe("Masque");
  });
});

describe("persona presence: attachments", () => {
  let stack: Stack;
  let files: Server;
  let filesUrl: string;

  beforeEach(async () => {
    files = createServer((request, response) => {
      if (request.url === "/notes.md") response.end("# Shopping\n- eggs\n- ``` tricky fence\n");
      else if (request.url === "/huge.txt") response.end("x".repeat(70_000));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await stack?.stop();
    files.closeAllConnections();
    await new Promise((resolve) => files.close(resolve));
  });

  async function askWith(
    attachments: Record<string, unknown>[],
    content = "look at this",
  ): Promise<{ role: string; content: unknown }[]> {
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content, mentionBot: true, attachments });
    await stack.model.waitForChatRequests(1, E2E_WAIT_MS);
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    return stack.model.chatRequests()[0]!.body.messages;
  }

  it("sends an image to a vision persona as an image part, and keeps a text note in memory", async () => {
    const dir = copyPersonas();
    writeFileSync(
      path.join(dir, "assistant.md"),
      readFileSync(path.join(dir, "assistant.md"), "utf8").replace("name: Juniper", "name: Juniper\nvision: true"),
    );
    stack = await startStack({ personasDir: dir });
    const messages = await askWith([
      {
        filename: "cat.png",
        content_type: "image/png",
        size: 2048,
        url: "https://cdn.discordapp.com/attachments/1/2/cat.png",
      },
    ]);
    expect(messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Ali: look at this\n[Attached image: cat.png]" },
        { type: "image_url", image_url: { url: "https://cdn.discordapp.com/attachments/1/2/cat.png" } },
      ],
    });
    expect(stack.core.memory.turns.recent(`channel:${stack.general}`, 2)[1]!.content).toBe(
      "look at this\n[Attached image: cat.png]",
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("tells a persona without vision that an image was attached, inlines text files, and acknowledges the rest", async () => {
    stack = await startStack();
    const messages = await askWith([
      {
        filename: "cat.png",
        content_type: "image/png",
        size: 2048,
        url: "https://cdn.discordapp.com/attachments/1/2/cat.png",
      },
      { filename: "notes.md", content_type: "text/markdown; charset=utf-8", size: 40, url: `${filesUrl}/notes.md` },
      { filename: "huge.txt", content_type: "text/plain", size: 70_000, url: `${filesUrl}/huge.txt` },
      { filename: "archive.zip", content_type: "application/zip", size: 3_500_000, url: `${filesUrl}/archive.zip` },
    ]);
    expect(messages.at(-1)).toEqual({
      role: "user",
      content: [
        "Ali: look at this",
        "[Attached image: cat.png — this persona's model cannot see images]",
        "[Attached file: notes.md]\n````md\n# Shopping\n- eggs\n- ``` tricky fence\n````",
        "[Attached file: huge.txt (text/plain, 68.4 KB) — too large to read; the limit is 64.0 KB]",
        "[Attached: archive.zip (application/zip, 3.3 MB) — I can't open this kind of file]",
      ].join("\n"),
    });
  });
});

describe("persona presence: per-server webhook choice and removed personas in the audit log", () => {
  let stack: Stack;
  let dir: string;
  beforeEach(() => {
    dir = copyPersonas();
  });
  afterEach(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function masqueWebhooks(use: string, admin = true): Promise<string> {
    const interaction = stack.discord.interact({
      channelId: stack.general,
      user: admin ? ALICE : BOB_USER,
      permissions: admin ? String(1n << 5n) : "0",
      name: "masque",
      options: [{ type: 1, name: "webhooks", options: [{ type: 3, name: "use", value: use }] }],
    });
    await stack.discord.waitFor(() => stack.discord.interactionResponses(interaction.id).length > 0);
    return stack.discord.interactionResponses(interaction.id)[0]!.body.data.content;
  }

  it("lets an admin turn persona webhooks on for a server (and refuses a non-admin)", async () => {
    stack = await startStack({ personasDir: dir });
    expect(await masqueWebhooks("on", false)).toMatch(/^Only server admins/);
    expect(stack.core.memory.serverSettings.guild.get(stack.guild.id).personaWebhooks).toBeUndefined();
    expect(await masqueWebhooks("on")).toMatch(/^Personas now reply under their own name and avatar here\./);

    stack.model.enqueue({ text: "Via the webhook." });
    stack.discord.postMessage({ channelId: stack.general, author: ALICE, content: "hi", mentionBot: true });
    await stack.discord.waitFor(() => stack.core.memory.turns.count(`channel:${stack.general}`) >= 2, E2E_WAIT_MS);
    await stack.bot.idle();
    expect(
      stack.discord
        .channelMessages(stack.general)
        .filter((m) => m.webhook_id)
        .map((m) => m.content),
    ).toEqual(["Via the webhook."]);
    expect(stack.core.memory.audit.latest(stack.guild.id, 10).map((e) => [e.action, e.actorId, e.details])).toEqual([
      ["webhooks.set", ALICE.id, { use: "on" }],
    ]);
  });

  it("records an audit entry in each server using a persona whose file was removed", async () => {
    writeFileSync(path.join(dir, "moss.json"), JSON.stringify(V1_CARD));
    stack = await startStack({ personasDir: dir });
    stack.core.memory.personaChoices.setGuildPersona(stack.guild.id, "moss");
    unlinkSync(path.join(dir, "moss.json"));
    await stack.discord.waitFor(() => !stack.core.personas().get("moss"), 3000);
    const entries = stack.core.memory.audit.latest(stack.guild.id, 10);
    expect(entries.map((e) => [e.action, e.details])).toEqual([["persona.removed", { persona: "moss" }]]);
  });
});

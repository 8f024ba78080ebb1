/**
 * Texts of Masque Studio (src/studio/): the server's refusals and the page's words. Plain
 * data, so the page's script (bundled by esbuild) imports this file too.
 */

/** Why the studio's server refused a request: each shown on the page as it is. */
export const STUDIO_REFUSALS = {
  foreignHost: (host: string) =>
    `This studio does not answer to the address "${host}". Open it at the address it printed (or STUDIO_PUBLIC_URL); other names are refused so a web page cannot reach it through DNS tricks.`,
  badOrigin:
    "This request came from another web site (its Origin is not the studio's), so it was refused. Use the studio's own page.",
  noOrigin:
    "This request did not say where it came from (no Origin or Sec-Fetch-Site header), so it was refused. Use the studio's own page in a current browser.",
  notJson: "The studio takes JSON only (Content-Type: application/json).",
  tooLarge: (limit: number) =>
    `That request is too large: the studio takes at most ${Math.round(limit / 1024)} KB at a time.`,
  badJson: "That request's body is not valid JSON.",
  notSignedIn:
    "You are not signed in, or your session ended. Open a new sign-in link: npm run studio (or the bot, with STUDIO_PORT set) prints one when it starts.",
  badRequestToken:
    "This request lacks the session's request token (X-Studio-Token), so it was refused. Reload the page and try again.",
  linkSpent:
    "This sign-in link was already used, or it expired (links work once, for 5 minutes). Get a new one: restart npm run studio (or the bot, with STUDIO_PORT set).",
  noToken: "This address has no sign-in token. Open the full link the studio printed (it ends with #token=…).",
  notFound: "There is nothing at this address in the studio.",
  pageNotBuilt:
    "The studio's page script is not built. Run npm run build:studio (npm start and npm run studio do it for you), then reload.",
  notEditable: (file: string) =>
    `"${file}" is not a persona file the studio edits: it edits Markdown personas (a lowercase id and .md). Cards are imported first.`,
  noSuchFile: (file: string) => `There is no persona file "${file}" (any more?). Reload the persona list.`,
  needsText: "That request lacks the persona's text (and, to save, the revision it was opened at).",
  conflict: (file: string) =>
    `${file} changed on disk since you opened it, so your save was refused and nothing was overwritten. Below: what is on disk (-) and what you have (+). Copy what you need, then reload.`,
  invalid: (file: string) =>
    `${file} was not saved: the bot could not load it. Fix the problems shown, then save again.`,
  file: {
    badId: (id: string) =>
      `"${id}" cannot be a persona id: use lowercase letters, digits, - or _ (at most 64), starting with a letter or digit.`,
    taken: (id: string) => `There is already a persona file ${id}.md; pick another id.`,
    isDefault: (id: string) =>
      `"${id}" is the default persona (DEFAULT_PERSONA): the bot cannot start without it, so it is not deleted. Choose another default first.`,
    notConfirmed: (id: string) => `Nothing was deleted: type the persona's id, ${id}, to confirm.`,
  },
  frontMatterFirst:
    "The form cannot change the file while its front matter has a YAML error; fix that in the editor first.",
  cannotInspect: {
    draft: "The draft has problems the bot would refuse (see the list); fix them to inspect what the model gets.",
    sample: "Type a sample conversation first: one message per line, as Name: text; the last line is the new message.",
  },
  emptyMessage: "Type a message for the persona to answer first.",
  notCard: "That is not a character card: drop a card's PNG or JSON file (V1, V2 or V3).",
  cardName:
    "The card's file name needs at least one letter or digit: it becomes the persona's id. Rename it and drop it again.",
  cardErrors: "This card cannot be imported as it is:",
  failed: "Something went wrong in the studio (the details are in its log). Nothing was changed; try again.",
} as const;

/** What the page says. */
export const STUDIO_PAGE = {
  title: "Masque Studio",
  signingIn: "Signing you in…",
  loading: "Loading…",
  signedInAs: (owner: string) => `Signed in (${owner}).`,
  signOut: "Sign out",
  signedOut: "You are signed out. Open a new sign-in link to come back.",
  personasHeading: "Personas",
  noPersonas: "No personas yet.",
  problems: (n: number) => `${n} ${n === 1 ? "problem" : "problems"}`,
  fine: "no problems",
  edit: "Edit",
  duplicate: "Duplicate",
  delete: "Delete…",
  newPersona: "New persona",
  newId: "id of the new persona",
  create: "Create",
  confirmDelete: (id: string) => `Delete ${id} for good? Type its id to confirm:`,
  deleteForGood: "Delete",
  cancel: "Cancel",
  deleted: (file: string) => `Deleted ${file}.`,
  created: (file: string) => `Created ${file}.`,
  back: "← Personas",
  save: "Save",
  saved: (file: string) => `Saved ${file}. The bot uses it from its next reply.`,
  problemsHeading: "Problems",
  fieldsHeading: "Fields",
  fieldLabels: {
    name: "Name",
    description: "Description",
    model: "Model (empty: DEFAULT_MODEL)",
    temperature: "Temperature",
  } as Record<string, string>,
  tokensHeading: "Tokens",
  problemAt: (line: number, field: string, reason: string) => `line ${line}: ${field}: ${reason}`,
  fixedTokens: "every prompt needs at least",
  ofContext: (tokens: number, context: number) => `${tokens} of ${context} (CONTEXT_TOKENS)`,
  inspectorHeading: "Inspector: what the model gets",
  sampleLabel:
    "Sample conversation, one message per line as Name: text (the last line is the new message; the persona's lines under its name)",
  samples: [
    { label: "A greeting", text: "Alice: Hello! Who are you?" },
    {
      label: "A short exchange",
      text: "Alice: Hi there.\n{{char}}: Hello, Alice.\nAlice: Tell me something about yourself.",
    },
  ],
  sampleChoice: "Shipped samples…",
  inspect: "Inspect",
  inspected: (tokens: number, budget: number, turns: number, sample: number) =>
    `${tokens} tokens of ${budget} (CONTEXT_TOKENS, the reply's room included); ${turns} of ${sample} earlier messages fit.`,
  noLore: "No lore entry fired.",
  loreFired: (index: number, comment: string | undefined, key: string | undefined) =>
    `lore[${index}]${comment ? ` (${comment})` : ""} ${key === undefined ? "is constant: always in" : `fired on the key "${key}"`}`,
  parts: {
    system: "system prompt (persona, examples, constant lore)",
    window: "earlier message (the window)",
    new: "the new message (with the note: triggered lore, recall)",
    after: "post-history instructions",
  } as Record<string, string>,
  messageHeading: (part: string, role: string, tokens: number, cacheable: boolean) =>
    `${part} · ${role} · ${tokens} tokens${cacheable ? " · cacheable prefix" : ""}`,
  tryHeading: "Try it (a scratch conversation: nothing reaches a server's memory)",
  tryLabel: "Your message",
  send: "Send",
  you: "You",
  cardsHeading: "Cards",
  dropHere: "Drop a character card here (PNG or JSON, V1/V2/V3) to see what it becomes",
  pickCard: "or pick a card file",
  cardBecomes: (file: string) => `Import would write ${file}:`,
  importCard: "Import",
  exportAs: (format: string) => `Export ${format.toUpperCase()}`,
  unreachable: "The studio's server cannot be reached. Is it still running?",
} as const;

/** What `npm run studio` and the bot print about the studio. */
export const STUDIO_CONSOLE = {
  open: (url: string) =>
    `Masque Studio is running. Open this link in your browser (it works once, for 5 minutes):\n  ${url}`,
  again: "Press Ctrl+C to stop it.",
} as const;

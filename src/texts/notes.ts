/**
 * Texts of people notes, part of src/texts.ts (which re-exports them: import them from
 * there). In a file of their own only so src/texts.ts stays under the 300-line limit.
 */
const notes = (n: number) => `${n} ${n === 1 ? "note" : "notes"}`;

/** `/memory me`, its buttons, and `/masque notes`. */
export const NOTE_TEXTS = {
  heading: "**What I noted about you here** (only you see this)",
  state: (keeps: boolean, inDm: boolean, serverKeeps: boolean) =>
    keeps
      ? "Notes about you: **on**. I note what you tell me about yourself (never what others say about you) and use it when I talk with you."
      : inDm
        ? "Notes about you: **off** in our DMs. Turn them on with `/memory me notes:on`."
        : serverKeeps
          ? "Notes about you: **off** (your choice). Turn them on again with `/memory me notes:on`."
          : "Notes about people: **off** in this server (admins turn them on with `/masque notes on`).",
  none: "I have no notes about you that I can show here.",
  line: (index: number, content: string) => `${index}. ${content}`,
  elsewhere: (hidden: number) =>
    `…and ${notes(hidden)} drawn from channels whose words stay there; use \`/memory me\` in them to see those. Delete all removes them too.`,
  deleteOne: (index: number) => `Delete ${index}`,
  deleteAll: "Delete all",
  deletedOne: "Deleted that note.",
  alreadyGone: "That note was already gone.",
  deletedAll: (n: number) => `Done: deleted ${notes(n)} about you here.`,
  notYours: "These buttons are for the person who asked.",
  turnedOff: (deleted: number) =>
    `Notes about you are **off** here: I keep none, and deleted the ${notes(deleted)} I had.`,
  turnedOn: (keeps: boolean) =>
    keeps
      ? "Notes about you are **on** here: I note what you tell me about yourself. See or delete them with `/memory me`."
      : "Noted: you don't mind notes. This server keeps none until its admins turn them on with `/masque notes on`.",
  serverSet: (on: boolean) =>
    on
      ? "People notes are **on**: after replying, I note in the background what each person tells about themselves (from their own messages only), " +
        "and use it when I talk with them. Anyone can see, delete or stop theirs with `/memory me`; notes drawn from a private channel are used only there."
      : "People notes are **off**: I keep and use none. The notes kept so far stay until their person deletes them (`/memory me`, forget-me) and are used again if notes are turned on.",
  statusLine: (on: boolean) => `**People notes:** ${on ? "on" : "off"}`,
};

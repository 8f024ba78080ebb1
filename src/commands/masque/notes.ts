import { NOTE_TEXTS } from "../../texts.js";
import { switchSubcommand } from "./shared.js";

/** `/masque notes on|off`: whether the note pass keeps people notes in this server (default off). */
export const notes = switchSubcommand({
  name: "notes",
  description: "Keep short notes about each person from their own messages (default off)",
  setting: "personNotes",
  action: "notes.set",
  says: NOTE_TEXTS.serverSet,
});

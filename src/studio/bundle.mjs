// Bundles the studio page's script (src/studio/page/main.ts) and copies its style sheet into
// dist/studio-page/, where the studio's server reads them: `npm run build:studio`, also run by
// `npm start` (src/cli/prestart.mjs) and `npm run studio`. Plain JavaScript: it runs before
// anything is compiled.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const OUT = path.join(ROOT, "dist", "studio-page");

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: [path.join(ROOT, "src/studio/page/main.ts")],
  outdir: OUT,
  entryNames: "studio",
  // The editor (CodeMirror) is its own chunk, loaded when a persona is opened.
  splitting: true,
  chunkNames: "chunk-[hash]",
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(path.join(ROOT, "src/studio/page/studio.css"), path.join(OUT, "studio.css"));

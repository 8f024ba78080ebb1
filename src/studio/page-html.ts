import { STUDIO_PAGE } from "../texts/studio.js";

/**
 * The one HTML page: a shell the page script fills in. No inline script or style (the CSP
 * forbids them; the editor's style element carries the nonce), and nothing from a persona, card or model: those arrive as JSON and are
 * put in the page as text.
 */
export function pageHtml(styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="style-nonce" content="${styleNonce}">
<title>${STUDIO_PAGE.title}</title>
<link rel="stylesheet" href="/assets/studio.css">
<script type="module" src="/assets/studio.js"></script>
</head>
<body>
<header><h1>${STUDIO_PAGE.title}</h1><span id="who"></span></header>
<p id="status" role="status">${STUDIO_PAGE.loading}</p>
<main id="app"></main>
</body>
</html>
`;
}

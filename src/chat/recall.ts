import type { WordForms } from "../memory/recall.js";
import { stemOf, wordsOf } from "../memory/terms.js";

/** A search uses at most this many words of the new message: the longest, which tend to be the most specific. */
export const MAX_QUERY_WORDS = 6;
/** Shorter words are too common to say what a message is about. */
export const MIN_WORD_LENGTH = 3;

/**
 * Words that say nothing about what a message is about: English function words, and the
 * words people use to ask about the past ("what did I say", "remember", "again").
 */
const STOPWORDS = new Set(
  (
    "about above after again against all also and any anything are aren because been before being below between both but can cannot " +
    "could did didn does doesn doing don down during each else even ever every few for from further get got had hadn has hasn have " +
    "haven having her here hers herself him himself his how into isn its itself just know let like made make more most much must " +
    "myself nor not now off once only other ought our ours ourselves out over own please really remember said same say saying says " +
    "shan she should shouldn some something such tell than thank thanks that the their theirs them themselves then there these they " +
    "thing think this those through told too under until very was wasn were weren what when where which while who whom why will with " +
    "without won would wouldn yes yet you your yours yourself yourselves"
  ).split(" "),
);

/** The words of a new message worth searching older turns for, longest first, at most MAX_QUERY_WORDS. */
export function salientWords(text: string): string[] {
  const unique = new Set(wordsOf(text).filter((w) => w.length >= MIN_WORD_LENGTH && !STOPWORDS.has(w)));
  return [...unique].sort((a, b) => b.length - a.length).slice(0, MAX_QUERY_WORDS);
}

/**
 * Orders search hits by how many of the words each holds (in any form, with stems), then by
 * how many in their exact form, then newest first; drops hits holding none.
 */
export function rankByRelevance<T extends { readonly id: number; readonly content: string }>(
  candidates: readonly T[],
  words: readonly string[],
  forms: WordForms = "stems",
): T[] {
  const stemOfWord = (w: string) => (forms === "stems" ? stemOf(w) : undefined);
  const scored = candidates.map((hit) => {
    const present = new Set(wordsOf(hit.content));
    const presentStems = new Set([...present].flatMap((w) => stemOfWord(w) ?? []));
    const exact = words.filter((w) => present.has(w)).length;
    const anyForm = words.filter((w) => {
      const stem = stemOfWord(w);
      return present.has(w) || (stem !== undefined && presentStems.has(stem));
    }).length;
    return { hit, anyForm, exact };
  });
  return scored
    .filter((s) => s.anyForm > 0)
    .sort((a, b) => b.anyForm - a.anyForm || b.exact - a.exact || b.hit.id - a.hit.id)
    .map((s) => s.hit);
}

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each list adds 1 / (k + rank)
 * to a hit's score, so a hit ranked well by words and by meaning rises above one ranked
 * first by either alone, and neither list's own scores need to be comparable. k = 60 is
 * the paper's.
 */
export const FUSION_K = 60;

/**
 * The hits of several ranked lists (best first), ordered by their fused rank; each hit
 * once. Among equals, a hit of an earlier list first (recall passes words before vectors:
 * a shared word is firmer evidence than a nearest neighbour), then the newest.
 */
export function fuseRanks<T extends { readonly id: number }>(lists: ReadonlyArray<readonly T[]>): T[] {
  const fused = new Map<number, { hit: T; score: number; list: number }>();
  lists.forEach((list, listIndex) => {
    list.forEach((hit, rank) => {
      const entry = fused.get(hit.id) ?? { hit, score: 0, list: listIndex };
      entry.score += 1 / (FUSION_K + rank + 1);
      fused.set(hit.id, entry);
    });
  });
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.list - b.list || b.hit.id - a.hit.id)
    .map((e) => e.hit);
}

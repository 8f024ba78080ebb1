import { z } from "zod";
import { type PlainValue, RESERVED_PARAMS } from "../llm/params.js";

/** Where a persona's reasoning goes: nowhere (the default), a spoiler under the reply, or a text file attached to it. */
export const SHOW_REASONING = ["off", "spoiler", "file"] as const;
export type ShowReasoning = (typeof SHOW_REASONING)[number];

/** JSON-like values only: no dates, no binary, nothing YAML could build beyond plain data. */
const plainValue: z.ZodType<PlainValue> = z.lazy(() =>
  z.union(
    [z.string(), z.number().finite(), z.boolean(), z.null(), z.array(plainValue), z.record(z.string(), plainValue)],
    {
      error: "must be plain values: text, numbers, true/false, lists or mappings of them",
    },
  ),
);

/** A persona's `params:`: provider-specific request fields, passed through as they are. */
export const paramsSchema = z
  .record(z.string(), plainValue, { error: "must be a mapping of request field: value, e.g. reasoning_effort: low" })
  .refine((params) => !Object.keys(params).some((key) => RESERVED_PARAMS.has(key)), {
    error: `must not set ${[...RESERVED_PARAMS].join(", ")}; Masque sets those (use max_tokens: at the top level for the reply's length)`,
  });

export const showReasoningSchema = z.enum(SHOW_REASONING, { error: `must be one of ${SHOW_REASONING.join(", ")}` });

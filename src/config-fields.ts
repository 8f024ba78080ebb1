import { z } from "zod";

// How one environment variable is read: an empty value counts as unset, and a bad one says the fix.

export const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const isWholeNumberOfAtLeast = (v: string, min: number) => /^\d+$/.test(v.trim()) && Number(v) >= min;

export function integer(fix: string, min: number, fallback: number) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(String(fallback))
      .refine((v) => isWholeNumberOfAtLeast(v, min), `must be a whole number of at least ${min}; ${fix}`)
      .transform((v) => Number(v)),
  );
}

/** A whole number of at least `min`, or undefined when the variable is empty or unset (the feature is off). */
export function optionalInteger(fix: string, min: number) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || isWholeNumberOfAtLeast(v, min),
        `must be a whole number of at least ${min}, or empty; ${fix}`,
      )
      .transform((v) => (v === undefined ? undefined : Number(v))),
  );
}

export function boolean(fallback: boolean) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(String(fallback))
      .refine((v) => /^(true|false|1|0|yes|no|on|off)$/i.test(v.trim()), "must be true or false")
      .transform((v) => /^(true|1|yes|on)$/i.test(v.trim())),
  );
}

export function url(fix: string) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)),
        `must be a full URL such as ${fix}`,
      ),
  );
}

export const text = (fallback: string) => z.preprocess(emptyAsUndefined, z.string().trim().default(fallback));
export const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().optional());

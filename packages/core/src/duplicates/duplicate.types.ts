import * as z from 'zod';

/** What a tenant does when a write looks like an existing customer. */
export const DUPLICATE_POLICIES = ['allow', 'warn', 'block'] as const;
export const DuplicatePolicy = z.enum(DUPLICATE_POLICIES);
export type DuplicatePolicy = z.infer<typeof DuplicatePolicy>;

/** One existing customer a write resembles, with the reasons (explainable, not a black box). */
export const DuplicateCandidate = z.object({
  id: z.string(),
  name: z.string(),
  /** 0..1; 1 = certainly the same customer. */
  score: z.number().min(0).max(1),
  /** Which normalised values matched, e.g. `phone`, `email`, `creditCode`, `name`, `namePinyin`. */
  matchedOn: z.array(z.string()),
  /** The strongest rule that fired, e.g. `same-phone`. */
  rule: z.string(),
}).meta({ id: 'DuplicateCandidate' });
export type DuplicateCandidate = z.infer<typeof DuplicateCandidate>;

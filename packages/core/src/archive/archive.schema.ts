import * as z from 'zod';

/** The answer of `POST /v1/customers/{id}/rehydrate`. */
export const RehydrateResult = z.object({
  customerId: z.string(),
  /** True when the customer was an archive stub and its full profile was restored by this call. */
  profileRestored: z.boolean(),
  /** Items put back into the live table by this call. */
  restored: z.number().int().nonnegative(),
  /** Archived items already live (a retried rehydration): left as they are. */
  alreadyLive: z.number().int().nonnegative(),
  /** Archive files read and removed. */
  files: z.number().int().nonnegative(),
}).meta({ id: 'RehydrateResult' });
export type RehydrateResult = z.infer<typeof RehydrateResult>;

import * as z from 'zod';
import { ERROR_CODES } from '@crm/core';

/** How one manifest route is described in the OpenAPI document (schemas come from the use cases). */
export interface RouteDoc {
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Success responses: status → schema (undefined = no content). */
  ok: Record<number, z.ZodType | 'html' | 'css-or-js' | undefined>;
  /** Error statuses this route can answer besides the common ones. */
  errors?: number[];
}

// Named components come from zod's own `.meta({ id })` (no prototype patching needed in zod 4).
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).meta({ id: 'Problem' });

import * as z from 'zod';
import type { RouteDoc } from '../route-doc';

export const platformDocs: Record<string, RouteDoc> = {
  'get-openapi': { ok: { 200: z.object({}).passthrough() } },
  'get-docs': { ok: { 200: 'html' } },
  'get-docs-asset': { params: z.object({ asset: z.string() }), ok: { 200: 'css-or-js' }, errors: [404] },
};

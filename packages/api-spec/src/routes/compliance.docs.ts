import * as z from 'zod';
import { WordList } from '@crm/core';
import type { RouteDoc } from '../route-doc';

export const complianceDocs: Record<string, RouteDoc> = {
  'list-word-lists': { ok: { 200: z.object({ items: z.array(WordList.meta({ id: 'WordList' })), next: z.string().nullable() }) } },
};

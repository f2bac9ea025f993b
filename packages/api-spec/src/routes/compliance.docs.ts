import * as z from 'zod';
import { WordList, WordListBody } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const WordListDoc = WordList.meta({ id: 'WordList' });
const NameParam = z.object({ name: z.string() });

export const complianceDocs: Record<string, RouteDoc> = {
  'list-word-lists': { ok: { 200: z.object({ items: z.array(WordListDoc), next: z.string().nullable() }) } },
  'put-word-list': {
    params: NameParam, headers: z.object({ 'if-match': z.string().optional() }), body: WordListBody,
    ok: { 200: WordListDoc }, errors: [400, 412, 428],
  },
  'delete-word-list': { params: NameParam, headers: z.object({ 'if-match': z.string().optional() }), ok: { 204: undefined }, errors: [400, 404, 412] },
};

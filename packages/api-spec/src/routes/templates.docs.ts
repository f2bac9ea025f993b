import * as z from 'zod';
import { TemplateInstallResult, TemplateSummary } from '@crm/core';
import type { RouteDoc } from '../route-doc';

export const templateDocs: Record<string, RouteDoc> = {
  'list-templates': { ok: { 200: z.object({ items: z.array(TemplateSummary.meta({ id: 'IndustryTemplate' })) }) } },
  'install-template': { params: z.object({ name: z.string() }), ok: { 200: TemplateInstallResult.meta({ id: 'TemplateInstallResult' }) }, errors: [404, 412] },
};

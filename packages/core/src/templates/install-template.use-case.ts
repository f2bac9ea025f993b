import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { FieldDefinitionInput, loadFieldDefinitions, putFieldDefinition } from '../fields/field-registry';
import { loadSecuritySettings } from '../security/security-settings';
import { putSecuritySettings } from '../security/security-settings.use-cases';
import { INDUSTRY_TEMPLATES, type IndustryTemplate } from './industry-templates';
import { installWordLists, WORD_LIST_ACTIONS, WordListSkipReason } from '../compliance/word-lists';
import { installTemplatePipelines } from '../pipelines/template-pipelines';
import { PipelineInput } from '../pipelines/pipeline.schema';

export const TemplateSummary = z.object({
  name: z.string(), title: z.string(), description: z.string(), fields: z.array(z.string()), tags: z.array(z.string()), sensitiveFields: z.array(z.string()),
  /** Sensitive-word lists the template installs (names, actions and sizes; the words via GET /v1/compliance/word-lists once installed). */
  wordLists: z.array(z.object({ name: z.string(), action: z.enum(WORD_LIST_ACTIONS), words: z.number().int() })),
  /** Sales pipelines the template installs (names). */
  pipelines: z.array(z.string()),
});
export const TemplateInstallResult = z.object({
  template: z.string(),
  installedFields: z.array(z.string()),
  /** Already defined with the same type (idempotent re-install) or kept because the tenant defined it differently. */
  skippedFields: z.array(z.object({ key: z.string(), reason: z.enum(['already-installed', 'defined-differently', 'removed-by-tenant']) })),
  sensitiveFieldsAdded: z.array(z.string()),
  suggestedTags: z.array(z.string()),
  installedWordLists: z.array(z.string()),
  /** Lists that exist are never overwritten: installed before, changed by the tenant since, or the tenant's own list of that name. */
  skippedWordLists: z.array(z.object({ name: z.string(), reason: WordListSkipReason })),
  /** Ids of the pipelines created by this install. */
  installedPipelines: z.array(z.object({ id: z.string(), name: z.string() })),
  /** A pipeline this template installed before (even if renamed or archived since) is never installed twice. */
  skippedPipelines: z.array(z.object({ name: z.string(), reason: z.literal('already-installed') })),
});
export type TemplateInstallResult = z.infer<typeof TemplateInstallResult>;

export function listTemplates(): Array<z.infer<typeof TemplateSummary>> {
  return INDUSTRY_TEMPLATES.map((t) => ({
    name: t.name, title: t.title, description: t.description, fields: t.fields.map((f) => f.key), tags: t.tags, sensitiveFields: t.sensitiveFields,
    wordLists: t.wordLists.map((l) => ({ name: l.name, action: l.action, words: l.words.length })),
    pipelines: (t.pipelines ?? []).map((p) => p.name),
  }));
}

/**
 * Installs a template into the caller's tenant. Idempotent: fields that exist are left alone (a
 * tenant's own definition always wins, and a field the tenant removed stays removed), sensitive
 * fields are merged into the security settings, word lists that exist are left alone (same rule),
 * and a second install changes nothing.
 */
export async function installTemplate(deps: { store: TableStore; clock: Clock; ids: IdGenerator }, ctx: RequestContext, name: string): Promise<TemplateInstallResult> {
  const template: IndustryTemplate | undefined = INDUSTRY_TEMPLATES.find((t) => t.name === name);
  if (!template) throw notFound(`Template ${name}`);
  const { tenantId } = ctx.principal;
  const existing = new Map((await loadFieldDefinitions(deps.store, tenantId, 'customer')).map((d) => [d.key, d]));
  const result: TemplateInstallResult = {
    template: name, installedFields: [], skippedFields: [], sensitiveFieldsAdded: [], suggestedTags: template.tags, installedWordLists: [], skippedWordLists: [], installedPipelines: [], skippedPipelines: [],
  };
  for (const { key, ...definition } of template.fields) {
    const current = existing.get(key);
    if (current) {
      const reason = current.status === 'removed' ? 'removed-by-tenant' : current.type === definition.type ? 'already-installed' : 'defined-differently';
      result.skippedFields.push({ key, reason });
      continue;
    }
    try {
      await putFieldDefinition(deps, ctx, 'customer', key, FieldDefinitionInput.parse(definition), undefined);
      result.installedFields.push(key);
    } catch (error) {
      // A concurrent install defined it first: same outcome as a re-install.
      if (error instanceof AppError && (error.code === 'precondition_failed' || error.code === 'precondition_required')) result.skippedFields.push({ key, reason: 'already-installed' });
      else throw error;
    }
  }
  const security = await loadSecuritySettings(deps.store, tenantId);
  const added = template.sensitiveFields.filter((f) => !security.sensitiveFields.includes(f));
  if (added.length > 0) {
    await putSecuritySettings(deps, ctx, { sensitiveFields: [...security.sensitiveFields, ...added] }, `"${security.version}"`);
    result.sensitiveFieldsAdded = added;
  }
  const lists = await installWordLists(deps, ctx, `template:${template.name}`, template.wordLists);
  result.installedWordLists = lists.installed;
  result.skippedWordLists = lists.skipped;
  const pipelines = await installTemplatePipelines(deps, ctx, template.name, (template.pipelines ?? []).map((p) => PipelineInput.parse(p)));
  result.installedPipelines = pipelines.installed;
  result.skippedPipelines = pipelines.skipped;
  return result;
}

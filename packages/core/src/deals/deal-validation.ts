import { AppError, type FieldError } from '../errors';
import type { TableStore } from '../ports/table-store.port';
import type { SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { loadCustomer } from '../customers/customer.repository';
import { applyFieldRegistry, fieldRegistryKeys, toDefinition, type FieldDefinition } from '../fields/field-registry';
import type { Pipeline, Stage } from '../pipelines/pipeline.schema';
import type { Deal } from './deal.schema';

/** The deal's customer must be a live company or person the caller can see (else 400, not 404: it is input). */
export async function assertCustomerReference(store: TableStore, ctx: SecuredContext, customerId: string): Promise<void> {
  const c = await loadCustomer(store, ctx.principal.tenantId, customerId);
  if (!c || c.deletedAt || c.mergedInto || !canSeeRecord(ctx.access, 'customer', c)) {
    throw invalid([{ path: 'body.customerId', message: 'no such customer' }], `Customer ${customerId} does not exist`);
  }
}

/** Contacts must be live persons the caller can see. */
export async function assertContactReferences(store: TableStore, ctx: SecuredContext, contactIds: string[]): Promise<void> {
  const errors: FieldError[] = [];
  if (new Set(contactIds).size !== contactIds.length) errors.push({ path: 'body.contactIds', message: 'duplicate contact' });
  for (const [i, id] of contactIds.entries()) {
    const c = await loadCustomer(store, ctx.principal.tenantId, id);
    if (!c || c.deletedAt || c.mergedInto || c.kind !== 'person' || !canSeeRecord(ctx.access, 'customer', c)) errors.push({ path: `body.contactIds.${i}`, message: 'no such person' });
  }
  if (errors.length) throw invalid(errors, 'Contacts must be existing persons');
}

/**
 * Deal custom fields are checked against the registry of object type `deal`
 * (`T#t#FIELDS#deal`) when the tenant defined any; otherwise they are free-form like customers'.
 */
export async function loadDealFieldDefinitions(store: TableStore, tenantId: string): Promise<FieldDefinition[]> {
  const page = await store.query({ partition: fieldRegistryKeys.partition(tenantId, 'deal'), limit: 1000, consistent: true });
  return page.items.map(toDefinition);
}

export function applyDealFields(definitions: FieldDefinition[], values: Record<string, unknown>, mode: 'create' | 'update'): Record<string, unknown> {
  return applyFieldRegistry(definitions, values, mode);
}

/** Required fields of a stage the deal lacks (empty lists and strings count as missing). */
export function missingRequiredFields(stage: Stage, deal: Deal): string[] {
  const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
  return (stage.requiredFields ?? []).filter((f) => {
    if (f.startsWith('customFields.')) return !present(deal.customFields?.[f.slice('customFields.'.length)]);
    return !present((deal as Record<string, unknown>)[f]);
  });
}

export function assertStageRequirements(stage: Stage, deal: Deal): void {
  const missing = missingRequiredFields(stage, deal);
  if (missing.length > 0) {
    throw new AppError('stage_requirements_missing', `Stage ${stage.key} needs ${missing.join(', ')}`, {
      stage: stage.key, missing, errors: missing.map((f) => ({ path: `body.${f}`, message: `required in stage ${stage.key}` })),
    });
  }
}

export function requireStage(pipeline: Pipeline, key: string): Stage {
  const stage = pipeline.stages.find((s) => s.key === key);
  if (!stage) {
    throw new AppError('unknown_stage', `Pipeline ${pipeline.id} has no stage ${key}`, {
      stages: pipeline.stages.map((s) => s.key), errors: [{ path: 'body.stage', message: 'no such stage in the pipeline' }],
    });
  }
  return stage;
}

function invalid(errors: FieldError[], detail: string): AppError {
  return new AppError('validation_failed', detail, { errors });
}

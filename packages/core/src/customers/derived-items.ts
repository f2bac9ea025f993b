import { AppError } from '../errors';
import { TransactionConflictError, type Item, type TransactOperation } from '../ports/table-store.port';
import type { FieldDefinition } from '../fields/field-registry';
import { duplicateKeyItems } from '../duplicates/duplicate-keys';
import { customFieldIndexItems } from '../fields/field-index';
import { tagItems } from './customer.repository';
import { rfmIndexItems } from '../analytics/scoring/rfm-profile';
import type { Customer } from './customer.schema';

/**
 * Items derived from a customer record and kept in step with it in the record's own transaction:
 * tag memberships, the RFM segment membership, duplicate blocking keys, and (for filterable/unique custom fields) field index
 * and uniqueness items. A `unique` item is written only if no other record holds it.
 */
export type DerivedItem = Item & { unique?: true };

/** What shapes a record's derived items: the field registry and which fields are sensitive (never indexed in clear). */
export interface DerivedItemConfig {
  fields: readonly FieldDefinition[];
  sensitiveFields: readonly string[];
}

/** Every derived item of a record, computed from its plain (unsealed) form. */
export function derivedItems(tenantId: string, c: Customer, config: DerivedItemConfig): DerivedItem[] {
  return [
    ...tagItems(tenantId, c),
    ...rfmIndexItems(tenantId, c),
    ...duplicateKeyItems(tenantId, c),
    ...customFieldIndexItems(tenantId, c, config.fields, { sensitiveFields: config.sensitiveFields }),
  ];
}

/** The derived-item configuration of a loaded customer configuration. */
export function derivedConfigOf(config: { fields: readonly FieldDefinition[]; security: { sensitiveFields: readonly string[] } }): DerivedItemConfig {
  return { fields: config.fields, sensitiveFields: config.security.sensitiveFields };
}

const itemId = (i: { pk: string; sk: string }) => `${i.pk}\u0000${i.sk}`;

/**
 * The operations that move a record's derived items from `before` to `after` — only the difference,
 * so a simple field edit costs no extra write. Both must be in the same form (plain, or both sealed
 * when only non-sensitive fields differ).
 */
export function derivedItemOperations(tenantId: string, before: Customer | undefined, after: Customer, config: DerivedItemConfig): TransactOperation[] {
  const oldItems = before ? derivedItems(tenantId, before, config) : [];
  const newItems = derivedItems(tenantId, after, config);
  const oldIds = new Set(oldItems.map(itemId));
  const newIds = new Set(newItems.map(itemId));
  return [
    ...oldItems.filter((i) => !newIds.has(itemId(i))).map((i): TransactOperation => ({ type: 'delete', key: { pk: i.pk, sk: i.sk } })),
    ...newItems.filter((i) => !oldIds.has(itemId(i))).map(({ unique, ...item }): TransactOperation => (unique ? { type: 'put', item, condition: { kind: 'notExists' } } : { type: 'put', item })),
  ];
}

/** DynamoDB's limit of one transaction; a change that needs more is refused rather than split. */
export const MAX_TRANSACTION_ITEMS = 100;

export function assertTransactionSize(operations: readonly TransactOperation[]): void {
  if (operations.length > MAX_TRANSACTION_ITEMS) {
    throw new AppError('validation_failed', `This change touches ${operations.length} index entries at once (limit ${MAX_TRANSACTION_ITEMS}); change the name and the tags in separate requests`, {
      errors: [{ path: 'body', message: 'too many index changes in one write' }],
    });
  }
}

/**
 * Turns a failed uniqueness condition into 409 `unique_violation` naming the field; any other
 * failure is rethrown unchanged.
 */
export function rethrowUniqueViolation(error: unknown, operations: readonly TransactOperation[]): never {
  if (error instanceof TransactionConflictError) {
    for (const index of error.failedIndexes) {
      const op = operations[index];
      if (op?.type === 'put' && op.item.entity === 'customer-unique') {
        const field = String(op.item.field ?? '');
        throw new AppError('unique_violation', `Another customer already has this ${field}`, { field, errors: [{ path: `body.customFields.${field}`, message: 'must be unique' }] });
      }
    }
  }
  throw error;
}

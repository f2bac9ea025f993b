import { AppError } from '../errors';
import { TransactionConflictError, type TableStore, type TransactOperation } from '../ports/table-store.port';

/**
 * Idempotency-Key support for POSTs: the first request stores its response in the same transaction
 * as its effect; a retry with the same key and body replays that response; the same key with a
 * different body is rejected (422). Records expire after 24 h through the table's TTL.
 */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentResponse<T> {
  status: number;
  body: T;
}

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;

export function idempotencyKey(tenantId: string, scope: string, key: string) {
  return { pk: `${tenantPrefix(tenantId)}#IDEM#${scope}#${key}`, sk: 'IDEM' };
}

export function assertIdempotencyKeyFormat(key: string): void {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1-255 visible ASCII characters', {
      errors: [{ path: 'header.idempotency-key', message: 'invalid format' }],
    });
  }
}

/** The stored response for this key, or undefined; throws idempotency_key_reused on a different body. */
export async function findReplay<T>(
  store: TableStore,
  tenantId: string,
  scope: string,
  key: string,
  hash: string,
): Promise<IdempotentResponse<T> | undefined> {
  const item = await store.get(idempotencyKey(tenantId, scope, key), { consistent: true });
  if (!item) return undefined;
  if (item.requestHash !== hash) {
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body');
  }
  return { status: item.status as number, body: item.response as T };
}

/** The transaction operation that records the response; fails the transaction if the key was taken meanwhile. */
export function recordResponseOperation<T>(
  tenantId: string,
  scope: string,
  key: string,
  hash: string,
  response: IdempotentResponse<T>,
  now: Date,
): TransactOperation {
  return {
    type: 'put',
    condition: { kind: 'notExists' },
    item: {
      ...idempotencyKey(tenantId, scope, key),
      entity: 'idempotency',
      tenantId,
      requestHash: hash,
      status: response.status,
      response: response.body,
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    },
  };
}

/** The Idempotency-Key of a create request and the hash of what it was sent with. */
export interface IdempotentRequest {
  key: string;
  hash: string;
}

/**
 * The create flow of an idempotent POST: a response stored for the key is replayed before anything
 * else (the same body; 422 `idempotency_key_reused` for another); otherwise `create` builds the
 * transaction and its response, the response is recorded in that same transaction, and a concurrent
 * request with the same key that won the race is answered with the winner's response. `create` may
 * add a check of the whole transaction (`validate`, e.g. its size) and a translation of its failure
 * (`rethrow`, e.g. a unique-index conflict into a 409); both see the operations with the response
 * record last, so the positions of `operations` are unchanged.
 */
export async function createIdempotently<T>(
  store: TableStore,
  tenantId: string,
  scope: string,
  request: IdempotentRequest | undefined,
  create: () => Promise<{
    operations: TransactOperation[];
    response: IdempotentResponse<T>;
    now: Date;
    validate?: (all: readonly TransactOperation[]) => void;
    rethrow?: (error: unknown, all: readonly TransactOperation[]) => never;
  }>,
): Promise<{ response: IdempotentResponse<T>; replayed: boolean }> {
  if (request) {
    assertIdempotencyKeyFormat(request.key);
    const replay = await findReplay<T>(store, tenantId, scope, request.key, request.hash);
    if (replay) return { response: replay, replayed: true };
  }
  const { operations, response, now, validate, rethrow } = await create();
  const all = request ? [...operations, recordResponseOperation(tenantId, scope, request.key, request.hash, response, now)] : operations;
  validate?.(all);
  try {
    await store.transact(all);
  } catch (error) {
    if (request && error instanceof TransactionConflictError && error.failedIndexes.includes(all.length - 1)) {
      const replay = await findReplay<T>(store, tenantId, scope, request.key, request.hash);
      if (replay) return { response: replay, replayed: true };
    }
    if (rethrow) rethrow(error, all);
    throw error;
  }
  return { response, replayed: false };
}

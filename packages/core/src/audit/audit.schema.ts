import * as z from 'zod';

/**
 * The audit record: who did what to which resource, when, from where, and with what outcome.
 * Append-only; chained per tenant by the `chain-audit` stream consumer (see audit-chain.ts).
 */

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;

const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a 26-character ULID');

export const AuditActor = z.object({
  /** Token subject: user id, or the app client id for client-credentials tokens. */
  subject: z.string(),
  kind: z.enum(['user', 'client']),
  roles: z.array(z.string()),
  clientId: z.string().optional(),
  /** The admin acting on behalf of `subject`, when the session is an impersonation. */
  impersonator: z.string().optional(),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditChange = z.object({
  /** Top-level field name, or `customFields.<key>` for tenant-defined fields. */
  field: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AuditChange = z.infer<typeof AuditChange>;

export const AuditEntry = z.object({
  id: Ulid,
  /** ISO 8601 UTC with milliseconds (`Date.toISOString()`). */
  at: z.iso.datetime(),
  tenantId: z.string(),
  actor: AuditActor,
  /** `<resource plural>:<verb>`, e.g. `customers:update`, `audit:read`. */
  action: z.string().min(1).max(100),
  /** Resource type, e.g. `customer`. */
  resource: z.string().min(1).max(64),
  resourceId: z.string().max(200).optional(),
  outcome: z.enum(AUDIT_OUTCOMES),
  changes: z.array(AuditChange).optional(),
  /** Before-image of a deleted record (an update's before values are in `changes`). */
  before: z.record(z.string(), z.unknown()).optional(),
  where: z.object({
    requestId: z.string(),
    sourceIp: z.string().optional(),
    userAgent: z.string().optional(),
  }),
  /** Free-form context (error code of a denial, export parameters, ...). */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  items: z.array(AuditEntry),
  next: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

const Resource = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a resource type such as customer');
const Subject = z.string().regex(/^[A-Za-z0-9_@.:+-]{1,128}$/, 'must be a user or client id');
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const ListAuditQuery = z
  .strictObject({
    /** Page size; clamped to 1..200 (default 50). */
    limit: z.coerce.number().int().optional().transform((n) => Math.min(200, Math.max(1, n ?? 50))),
    after: z.string().max(4096).optional(),
    resource: Resource.optional(),
    /** Needs `resource`. */
    resourceId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a record id').optional(),
    /** Token subject of the actor (user id, or client id for partners). */
    actor: Subject.optional(),
    /** Inclusive lower bound (ISO 8601). */
    from: Instant.optional(),
    /** Inclusive upper bound (ISO 8601); defaults to now. */
    to: Instant.optional(),
  })
  .refine((q) => q.resourceId === undefined || q.resource !== undefined, { path: ['resourceId'], message: 'resourceId needs resource' })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'from must not be after to' });
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

export const VerifyAuditQuery = z.strictObject({
  /** First chain sequence number to check (default 1). */
  fromSeq: z.coerce.number().int().min(1).optional(),
  /** Links checked per request; clamped to 1..10000 (default 5000). */
  limit: z.coerce.number().int().optional().transform((n) => Math.min(10_000, Math.max(1, n ?? 5000))),
});
export type VerifyAuditQuery = z.infer<typeof VerifyAuditQuery>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  /** Links checked by this request. */
  checked: z.number().int(),
  /** First sequence number whose link or record does not match. */
  firstBrokenSeq: z.number().int().optional(),
  reason: z.string().optional(),
  /** Where to continue (`fromSeq`) when the chain is longer than `limit`; null at the head. */
  nextSeq: z.number().int().nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

import * as z from 'zod';
import { geocodedLocationSchema, normalisedPhoneSchema, parsedAddressSchema } from '../normalisation/normalisation.schema';
import { CustomerEnrichment } from '../enrichment/customer-enrichment.schema';
import { RfmProfile, RfmSegmentIdSchema } from '../analytics/scoring/rfm-profile';

/**
 * Customer (person or company) API shapes. The same schemas validate requests at the edge, give the
 * TypeScript types (z.infer) and feed the OpenAPI document (packages/api-spec).
 */

export const CUSTOMER_KINDS = ['person', 'company'] as const;
export const PHONE_LABELS = ['mobile', 'work', 'home', 'fax', 'other'] as const;
export const EMAIL_LABELS = ['work', 'personal', 'other'] as const;

/** ULID: the format of every record id (sortable by creation time). */
export const RecordId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a 26-character ULID');
export const OrgPath = z.string().regex(/^\/(?:[a-z0-9][a-z0-9-]{0,39}(?:\/[a-z0-9][a-z0-9-]{0,39}){0,7})?$/, 'must be an org path such as /hq/east (lower-case segments)');
export const UserRef = z.string().regex(/^[A-Za-z0-9_@.:+-]{1,128}$/, 'must be a user id (1-128 of A-Z a-z 0-9 _ @ . : + -)');

const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max);

/** A phone as typed; it is normalised on write, and unparseable input is kept verbatim and flagged (`valid: false`). */
export const PhoneInput = z.strictObject({
  number: trimmed(1, 60),
  label: z.enum(PHONE_LABELS).optional(),
});

export const EmailInput = z.strictObject({
  address: z.string().trim().pipe(z.email().max(254)),
  label: z.enum(EMAIL_LABELS).optional(),
});

export const Address = z.strictObject({
  line1: trimmed(1, 200).optional(),
  line2: trimmed(1, 200).optional(),
  city: trimmed(1, 100).optional(),
  region: trimmed(1, 100).optional(),
  postalCode: trimmed(1, 20).optional(),
  /** ISO 3166-1 alpha-2. */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN or DE').optional(),
});

/** Tags are compared case-insensitively, so they are stored lower-case. */
export const Tag = trimmed(1, 64)
  .regex(/^[^#\u0000-\u001f]+$/, 'must not contain # or control characters')
  .transform((t) => t.toLowerCase());

const CustomFieldKey = z.string().regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'must be camelCase or snake_case, starting with a letter');
const CustomFieldScalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);
export const CustomFieldValue = z.union([CustomFieldScalar, z.array(CustomFieldScalar).max(100)]);
/** Tenant-defined values; the per-tenant field registry (later) validates them further. */
export const CustomFields = z.record(CustomFieldKey, CustomFieldValue).refine((o) => Object.keys(o).length <= 200, 'at most 200 custom fields');

/** 40 keeps a worst-case update (rename + replace every tag) within one 100-item transaction. */
export const MAX_TAGS = 40;

export const CreateCustomerInput = z.strictObject({
  kind: z.enum(CUSTOMER_KINDS),
  name: trimmed(1, 200),
  phones: z.array(PhoneInput).max(20).default([]),
  emails: z.array(EmailInput).max(20).default([]),
  address: Address.optional(),
  tags: z.array(Tag).max(MAX_TAGS).default([]),
  /** Owning user; defaults to the caller when the caller is a user. */
  ownerId: UserRef.nullable().optional(),
  /** For a person: the company they work for (a company record of the same tenant). */
  companyId: RecordId.optional(),
  /** Owning org unit; defaults to the caller's unit (or the tenant root). */
  orgPath: OrgPath.optional(),
  customFields: CustomFields.default({}),
});
export type CreateCustomerInput = z.infer<typeof CreateCustomerInput>;

/**
 * JSON merge patch (RFC 7396) of a customer: absent = unchanged, null = cleared. `kind` cannot change.
 * customFields merge key by key (null removes a key); arrays and address are replaced whole.
 */
export const UpdateCustomerInput = z
  .strictObject({
    name: trimmed(1, 200).optional(),
    phones: z.array(PhoneInput).max(20).nullable().optional(),
    emails: z.array(EmailInput).max(20).nullable().optional(),
    address: Address.nullable().optional(),
    tags: z.array(Tag).max(MAX_TAGS).nullable().optional(),
    ownerId: UserRef.nullable().optional(),
    companyId: RecordId.nullable().optional(),
    orgPath: OrgPath.optional(),
    customFields: z.record(CustomFieldKey, CustomFieldValue.nullable()).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'the patch must change at least one field');
export type UpdateCustomerInput = z.infer<typeof UpdateCustomerInput>;

export const ListCustomersQuery = z.strictObject({
  /** Page size; clamped to 1..200 (default 50). */
  limit: z.coerce.number().int().optional().transform((n) => Math.min(200, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
  tag: Tag.optional(),
  ownerId: UserRef.optional(),
  kind: z.enum(CUSTOMER_KINDS).optional(),
  companyId: RecordId.optional(),
  /** Case- and width-insensitive name prefix. */
  namePrefix: trimmed(1, 100).optional(),
  /** true: list the public pool (customers without an owner) that reps can claim. */
  pool: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  /** true: list the trash (soft-deleted customers) instead. */
  deleted: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  /** Customers of one RFM segment (as last scored by the daily score-rfm job), by customer id. */
  rfmSegment: RfmSegmentIdSchema.optional(),
});
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;

export const GetCustomerQuery = z.strictObject({
  includeDeleted: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
});

export const Customer = z.object({
  id: RecordId,
  kind: z.enum(CUSTOMER_KINDS),
  name: z.string(),
  /** Normalised phones: E.164, type and display form (CN fixed lines as "010-12345678"); invalid ones kept and flagged. */
  phones: z.array(normalisedPhoneSchema.extend({ label: z.enum(PHONE_LABELS).optional() })),
  emails: z.array(z.object({ address: z.string(), label: z.enum(EMAIL_LABELS).optional() })),
  /**
   * As given, plus `division`: the Chinese administrative division (with codes) parsed from it, and
   * `location`: coordinates added after the write by the geocode-customer consumer (read-only).
   */
  address: Address.extend({ division: parsedAddressSchema.omit({ raw: true, detail: true }).optional(), location: geocodedLocationSchema.optional() }).optional(),
  tags: z.array(z.string()),
  ownerId: z.string().nullable(),
  companyId: RecordId.optional(),
  orgPath: z.string(),
  customFields: z.record(z.string(), CustomFieldValue),
  /** When the current owner claimed it from the public pool. */
  claimedAt: z.iso.datetime().optional(),
  /** Business-registry data of a company, added after the create by the enrich-company consumer (read-only). */
  enrichment: CustomerEnrichment.optional(),
  /** RFM segment and scores, written daily by the score-rfm job (read-only; no version change). */
  rfm: RfmProfile.optional(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
  deletedAt: z.iso.datetime().optional(),
  deletedBy: z.string().optional(),
  /** Set when this record was merged into another one: reads answer with that survivor. */
  mergedInto: RecordId.optional(),
  mergedAt: z.iso.datetime().optional(),
  /**
   * Set on an archive stub: the customer was inactive for the tenant's `customerArchiveAfterDays`,
   * its full profile is in the archive and only id, kind, name, owner, org unit, company and tags
   * stay (lists still show it). Writes answer 409 `customer_archived` until
   * `POST /v1/customers/{id}/rehydrate` restores it.
   */
  archived: z.literal(true).optional(),
  archivedAt: z.iso.datetime().optional(),
});
export type Customer = z.infer<typeof Customer>;

export const CustomerPage = z.object({
  items: z.array(Customer),
  next: z.string().nullable(),
});
export type CustomerPage = z.infer<typeof CustomerPage>;

import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import { customerKeys, PROFILE_SK } from '../customers/customer.keys';
import { geocodedLocationSchema, type GeocodedLocation } from '../normalisation/normalisation.schema';
import type { Clock } from '../ports/clock.port';
import { isFieldCiphertext } from '../ports/field-encryptor.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type TableStore } from '../ports/table-store.port';
import { systemContext } from '../principal';
import { loadSecuritySettings } from '../security/security-settings';
import { canonicalJson } from '../shared/canonical-json';
import type { CallFailureReason } from '../shared/resilient-call';
import type { CustomerGeocoding } from './customer-geocoding';

/** Who the location write is attributed to (audit actor). */
export const GEOCODING_ACTOR = 'system:geocoding';

export interface GeocodeCustomerDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  geocoding: CustomerGeocoding;
}

/** A customer profile change as the table stream delivers it (unmarshalled images). */
export interface CustomerChange {
  newImage: Record<string, unknown>;
  /** Absent for an INSERT. */
  oldImage?: Record<string, unknown>;
}

/**
 * - `written`: `address.location` was stored (audited, version unchanged).
 * - `ignored`: not a live profile, the address did not change, it already has a location, or it has no text.
 * - `sealed`: the address (or part of it) is a sensitive field of the tenant: never sent to a geocoder.
 * - `not_found`: the geocoder cannot place the address; nothing written.
 * - `unavailable`: circuit open (no call made), timeout or geocoder error; nothing written.
 * - `skipped`: before the write the address changed again, got its location, or the customer was deleted.
 * - `conflict`: the customer kept changing under us (three version conflicts in a row).
 */
export type GeocodeCustomerResult =
  | { action: 'written'; location: GeocodedLocation }
  | { action: 'ignored' }
  | { action: 'sealed' }
  | { action: 'not_found' }
  | { action: 'unavailable'; reason: CallFailureReason }
  | { action: 'skipped' }
  | { action: 'conflict' };

type StoredAddress = Record<string, unknown>;

const isLiveProfile = (item: Record<string, unknown>) =>
  item.entity === 'customer' && item.sk === PROFILE_SK && !item.deletedAt && typeof item.tenantId === 'string' && typeof item.id === 'string';

const isPlainObject = (value: unknown): value is StoredAddress => !!value && typeof value === 'object' && !Array.isArray(value);

/** The address without its location, as canonical JSON: what "the address changed" compares. */
const addressIdentity = (address: unknown) => {
  if (!isPlainObject(address)) return canonicalJson(address ?? null);
  const { location: _location, ...rest } = address;
  return canonicalJson(rest);
};

/**
 * Whether a profile change asks for geocoding: a live customer whose address is new or changed
 * (any attribute, including a location dropped by an edit) and has no location now. Writing the
 * location changes only `address.location`, so its own change record never asks again.
 */
export function addressNeedsGeocoding({ newImage, oldImage }: CustomerChange): boolean {
  if (!isLiveProfile(newImage)) return false;
  const address = newImage.address;
  if (address === undefined || address === null) return false;
  if (isPlainObject(address) && address.location !== undefined) return false;
  return oldImage === undefined || canonicalJson(oldImage.address ?? null) !== canonicalJson(address);
}

/** Whether any part of a stored address is sealed (the whole address, or one of its attributes). */
export function isAddressSealed(address: unknown): boolean {
  if (!isPlainObject(address)) return isFieldCiphertext(address);
  return Object.values(address).some((value) => isFieldCiphertext(value));
}

/**
 * The text a geocoder gets for a stored address. Mainland China: region, city and lines run
 * together as Chinese addresses are written (the same text the division parser reads); elsewhere:
 * comma-separated from the street up, with postal code and country.
 */
export function geocodingTextOf(address: StoredAddress): string | undefined {
  const text = (keys: string[], separator: string) =>
    keys.map((k) => address[k]).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()).join(separator);
  const country = typeof address.country === 'string' ? address.country : 'CN';
  const joined = country === 'CN' ? text(['region', 'city', 'line1', 'line2'], '') : text(['line1', 'line2', 'city', 'region', 'postalCode', 'country'], ', ');
  return joined === '' ? undefined : joined;
}

/**
 * Change-feed side of "geocoding never blocks a write": for a customer profile whose address is new
 * or changed and has no coordinates, asks the geocoder (timeout + circuit breaker) and stores
 * `address.location` with a version-conditional write in the same transaction as its audit record.
 *
 * Sensitive addresses: when the tenant seals `address` (or any `address.<attribute>`), or the stored
 * address holds ciphertext, nothing is geocoded — the consumer holds no decryption grant and
 * plaintext of a sensitive field must not go to a third-party service.
 *
 * Like company enrichment, the write keeps `version`, `updatedAt` and `updatedBy`: the location is
 * server-owned derived data outside optimistic locking, so it can never make a client's If-Match
 * fail right after its write. If the customer changed between the change record and the write, it
 * is re-read: a different address (or one that meanwhile got a location, or a deleted customer)
 * means skip — the change record of that edit asks again; any other change and the location is
 * written on top of the newer version (up to three attempts).
 */
export async function geocodeCustomer(deps: GeocodeCustomerDeps, change: CustomerChange): Promise<GeocodeCustomerResult> {
  if (!addressNeedsGeocoding(change)) return { action: 'ignored' };
  const { newImage } = change;
  const tenantId = newImage.tenantId as string;
  const id = newImage.id as string;
  const address = newImage.address;
  if (isAddressSealed(address)) return { action: 'sealed' };
  if (!isPlainObject(address)) return { action: 'ignored' };
  const security = await loadSecuritySettings(deps.store, tenantId);
  if (security.sensitiveFields.some((path) => path === 'address' || path.startsWith('address.'))) return { action: 'sealed' };
  const text = geocodingTextOf(address);
  if (!text) return { action: 'ignored' };

  const outcome = await deps.geocoding.geocode(text);
  if (outcome.status === 'unavailable') return { action: 'unavailable', reason: outcome.reason };
  if (outcome.status === 'not_found') return { action: 'not_found' };
  const parsed = geocodedLocationSchema.safeParse({ ...outcome.result, geocodedAt: deps.clock.now().toISOString() });
  if (!parsed.success) return { action: 'not_found' }; // a point outside WGS 84 ranges is no answer
  const location = parsed.data;
  const identity = addressIdentity(address);

  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.store.get(customerKeys.profile(tenantId, id), { consistent: true });
    if (!current || !isLiveProfile(current) || !isPlainObject(current.address) || current.address.location !== undefined) return { action: 'skipped' };
    if (addressIdentity(current.address) !== identity) return { action: 'skipped' };
    try {
      await deps.store.transact([
        {
          type: 'put',
          // The stored item as it is, plus the location: index attributes and sealed fields stay untouched.
          item: { ...current, address: { ...current.address, location } },
          condition: { kind: 'equals', attribute: 'version', value: current.version as number },
        },
        auditPutOperation(auditEntryFrom(systemContext(tenantId, GEOCODING_ACTOR), {
          action: 'customers:geocode', resource: 'customer', resourceId: id,
          changes: [{ field: 'address.location', after: location }],
        }, deps.clock, deps.ids)),
      ]);
      return { action: 'written', location };
    } catch (error) {
      if (!(error instanceof TransactionConflictError)) throw error;
    }
  }
  return { action: 'conflict' };
}


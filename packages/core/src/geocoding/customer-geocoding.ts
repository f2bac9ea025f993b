import type { GeocodeResult, Geocoder } from '../ports/geocoder.port';
import { createResilientCall, failureReasonOf, type CallFailureReason, type CircuitStateName, type ResilientCallOptions } from '../shared/resilient-call';

/**
 * What `geocode` answers; it never rejects.
 * - `found`: the geocoder placed the address.
 * - `not_found`: the geocoder answered but cannot place it (or there was no text).
 * - `unavailable`: the circuit is open (no call made), the call timed out, or the geocoder failed.
 */
export type GeocodingOutcome =
  | { status: 'found'; result: GeocodeResult }
  | { status: 'not_found' }
  | { status: 'unavailable'; reason: CallFailureReason };

/** Structural subset of the Powertools logger (core has no logging dependency). */
export interface GeocodingLogger {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface CustomerGeocoding {
  geocode(text: string): Promise<GeocodingOutcome>;
  /** State of the circuit breaker (one per instance, i.e. per container). */
  readonly circuitState: CircuitStateName;
}

/**
 * Longest text sent to a geocoder: Amazon Location's SearchPlaceIndexForText accepts 200
 * characters, and the administrative levels and street come first in a Chinese address.
 */
export const MAX_GEOCODE_TEXT = 200;

/**
 * Wraps a geocoder adapter with a per-attempt timeout (default 2 s) and a circuit breaker shared by
 * all tenants (default: open after 5 consecutive failures, one trial call after 30 s). No retries by
 * default: the change feed redelivers a failed record, so retrying here too would only hold up the
 * shard. Create it once per container so the breaker sees every call.
 */
export function createCustomerGeocoding(deps: { geocoder: Geocoder; logger?: GeocodingLogger }, options: ResilientCallOptions = {}): CustomerGeocoding {
  const resilient = createResilientCall({ attemptTimeoutMs: 2_000, retries: 0, ...options });
  const warn = (message: string, detail: Record<string, unknown>) => {
    try {
      deps.logger?.warn(message, detail);
    } catch {
      // Logging must not turn a handled failure into a thrown one.
    }
  };
  return {
    async geocode(text) {
      const query = text.trim().slice(0, MAX_GEOCODE_TEXT);
      if (!query) return { status: 'not_found' };
      if (resilient.refusesCalls()) return { status: 'unavailable', reason: 'circuit_open' };
      try {
        const result = await resilient.execute((signal) => deps.geocoder.geocode(query, { signal }));
        return result ? { status: 'found', result } : { status: 'not_found' };
      } catch (error) {
        const reason = failureReasonOf(error);
        warn('geocoding unavailable', { reason, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        return { status: 'unavailable', reason };
      }
    },
    get circuitState() {
      return resilient.circuitState;
    },
  };
}

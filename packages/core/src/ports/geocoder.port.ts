/**
 * How precise a geocoded point is: `exact` is a street address or place; `district`, `city` and
 * `province` are the centre of that administrative unit.
 */
export type GeocodePrecision = 'exact' | 'district' | 'city' | 'province';

export interface GeocodeResult {
  lat: number;
  lng: number;
  precision: GeocodePrecision;
  /** Which adapter answered ("local-centroid", "amazon-location"), stored with the point. */
  source: string;
}

/**
 * Turns an address into coordinates. Undefined when the address cannot be placed; adapters calling
 * a remote service may throw on transport errors, and callers must not let that block a write.
 */
export interface Geocoder {
  /** `signal` aborts a remote call (the caller's timeout fired); local adapters may ignore it. */
  geocode(address: string, options?: { signal?: AbortSignal }): Promise<GeocodeResult | undefined>;
}

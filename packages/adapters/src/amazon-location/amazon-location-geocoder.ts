import { SearchPlaceIndexForTextCommand, type LocationClient, type Place } from '@aws-sdk/client-location';
import type { GeocodePrecision, GeocodeResult, Geocoder } from '@crm/core';

export interface AmazonLocationGeocoderOptions {
  /** Created once per container by the composition root. */
  client: LocationClient;
  /** Name of the place index (a CDK/config value; there is no default). */
  placeIndexName: string;
  /** ISO 3166-1 alpha-3 countries to search in, e.g. ["CHN"]; all when omitted. */
  filterCountries?: string[];
  /** BCP 47 language of the answers, e.g. "zh-CN". */
  language?: string;
}

// Amazon Location categories (developer guide, "Categories and filtering") → precision.
const CATEGORY_PRECISION: Record<string, GeocodePrecision> = {
  AddressType: 'exact',
  PointOfInterestType: 'exact',
  StreetType: 'exact',
  IntersectionType: 'exact',
  PostalCodeType: 'district',
  NeighborhoodType: 'district',
  MunicipalityType: 'city',
  SubRegionType: 'city',
  RegionType: 'province',
};
const RANK: Record<GeocodePrecision, number> = { exact: 0, district: 1, city: 2, province: 3 };

/** Precision of a place: from its categories when the data provider gives them, else from its fields. */
export function precisionOf(place: Place): GeocodePrecision | undefined {
  const fromCategories = (place.Categories ?? [])
    .map((category) => CATEGORY_PRECISION[category])
    .filter((p): p is GeocodePrecision => p !== undefined)
    .sort((a, b) => RANK[a] - RANK[b])[0];
  if (fromCategories) return fromCategories;
  if (place.AddressNumber || place.Street) return 'exact';
  if (place.SubMunicipality || place.Neighborhood) return 'district';
  if (place.Municipality || place.SubRegion) return 'city';
  if (place.Region) return 'province';
  return undefined;
}

/**
 * Geocoder on an Amazon Location Service place index (SearchPlaceIndexForText, best result only).
 * Undefined when the index finds nothing or only a country; SDK errors propagate so the caller can
 * retry later instead of storing "no coordinates" for good.
 */
export class AmazonLocationGeocoder implements Geocoder {
  constructor(private readonly options: AmazonLocationGeocoderOptions) {}

  async geocode(address: string, options: { signal?: AbortSignal } = {}): Promise<GeocodeResult | undefined> {
    const text = address.trim();
    if (!text) return undefined;
    const out = await this.options.client.send(
      new SearchPlaceIndexForTextCommand({
        IndexName: this.options.placeIndexName,
        Text: text,
        MaxResults: 1,
        ...(this.options.filterCountries ? { FilterCountries: this.options.filterCountries } : {}),
        ...(this.options.language ? { Language: this.options.language } : {}),
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    const place = out.Results?.[0]?.Place;
    const point = place?.Geometry?.Point;
    if (!place || !point || point.length < 2) return undefined;
    const precision = precisionOf(place);
    if (!precision) return undefined;
    return { lng: point[0]!, lat: point[1]!, precision, source: 'amazon-location' };
  }
}

/** The Amazon Location geocoder through an injected client. */
export function createAmazonLocationGeocoder(options: AmazonLocationGeocoderOptions): Geocoder {
  return new AmazonLocationGeocoder(options);
}

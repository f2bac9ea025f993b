import * as z from 'zod';

/**
 * Stored shapes of normalised contact data, for embedding in entity schemas (customer `phones`,
 * `emails`, `address`) and the OpenAPI document. The producing functions are normalisePhone,
 * normaliseEmail and parseChineseAddress; these schemas only describe their output.
 */
export const phoneTypeSchema = z.enum([
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'voip',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
]);

export const normalisedPhoneSchema = z.object({
  raw: z.string(),
  e164: z.string().regex(/^\+[1-9]\d{1,14}$/u).nullable(),
  display: z.string().nullable(),
  type: phoneTypeSchema.nullable(),
  valid: z.boolean(),
  ext: z.string().regex(/^\d{1,10}$/u).optional(),
});

export const normalisedEmailSchema = z.object({
  raw: z.string(),
  address: z.string().nullable(),
  valid: z.boolean(),
});

export const parsedAddressSchema = z.object({
  raw: z.string(),
  province: z.string().nullable(),
  provinceCode: z.string().regex(/^\d{2}$/u).nullable(),
  city: z.string().nullable(),
  cityCode: z.string().regex(/^\d{4}$/u).nullable(),
  district: z.string().nullable(),
  districtCode: z.string().regex(/^\d{6}$/u).nullable(),
  detail: z.string(),
  confidence: z.number().min(0).max(1),
});

/**
 * Coordinates of an address (longitude/latitude in degrees; Amazon Location answers WGS 84, the
 * local centroid table GCJ-02 — ADR 0011), added after the write by the `geocode-customer`
 * change-feed consumer; server-owned and read-only. `precision` says what the point is the centre of
 * (`exact`: a street address or place); `source` names the geocoder ("local-centroid",
 * "amazon-location").
 */
export const geocodedLocationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  precision: z.enum(['exact', 'district', 'city', 'province']),
  source: z.string().min(1).max(64),
  geocodedAt: z.iso.datetime(),
});
export type GeocodedLocation = z.infer<typeof geocodedLocationSchema>;

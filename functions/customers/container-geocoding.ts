import { LocationClient } from '@aws-sdk/client-location';
import { createAmazonLocationGeocoder } from '@crm/adapters/amazon-location';
import { createLocalCentroidGeocoder } from '@crm/adapters/local-geocoder';
import { createCustomerGeocoding, type CustomerGeocoding, type Geocoder } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import * as z from 'zod';

/**
 * Geocoder configuration. In AWS (`CRM_RUNTIME=aws`) the place index name is required — infra sets
 * it on functions whose manifest entry has `placeIndex: true` — so a missing one fails the cold
 * start instead of silently geocoding nothing. Locally the offline district-centroid geocoder is used.
 */
export const AwsGeocoderConfig = z.object({
  AWS_REGION: z.string().min(1),
  /** Amazon Location place index (Esri, IntendedUse Storage) created by infra. */
  GEOCODER_PLACE_INDEX: z.string().regex(/^[-._\w]{1,100}$/u, 'must be an Amazon Location place index name'),
});

/**
 * The geocoder of a runtime: Amazon Location on a place index in AWS (one SDK client per
 * container), the bundled district centroids locally. Meant to move into the composition roots
 * (`Container.geocoder`); until then it is picked here, once per container.
 */
export function geocoderFromEnv(env: Record<string, string | undefined>): Geocoder {
  if (env.CRM_RUNTIME === 'aws') {
    const config = parseConfig(AwsGeocoderConfig, env);
    return createAmazonLocationGeocoder({ client: new LocationClient({ region: config.AWS_REGION }), placeIndexName: config.GEOCODER_PLACE_INDEX });
  }
  return createLocalCentroidGeocoder();
}

// One geocoding (and so one circuit breaker) per container, kept across warm invocations.
const geocodings = new WeakMap<Container, CustomerGeocoding>();

/** The container's customer geocoding (timeout + circuit breaker over its geocoder). */
export function geocodingOf(container: Container, env: Record<string, string | undefined> = process.env): CustomerGeocoding {
  let geocoding = geocodings.get(container);
  if (!geocoding) {
    // A composition root that already provides a geocoder wins over the environment.
    const geocoder = (container as Container & { geocoder?: Geocoder }).geocoder ?? geocoderFromEnv(env);
    geocoding = createCustomerGeocoding({ geocoder, logger: container.logger });
    geocodings.set(container, geocoding);
  }
  return geocoding;
}

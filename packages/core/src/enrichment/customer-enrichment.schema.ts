import * as z from 'zod';
import { CompanyRecord } from '../ports/company-registry.port';

/**
 * The `enrichment` attribute of a company customer: the registry's record and when it was added.
 * Written only by the `enrich-company` change-feed consumer; read-only in the API.
 */
export const CustomerEnrichment = z.object({
  record: CompanyRecord,
  enrichedAt: z.iso.datetime(),
});
export type CustomerEnrichment = z.infer<typeof CustomerEnrichment>;

import * as z from 'zod';
import { isValidCreditCode } from '../enrichment/credit-code';

/**
 * Company-registry port: looks a company up in a business registry (China's National Enterprise
 * Credit Information Publicity System or a commercial data provider behind it). Adapters: a
 * fixture file locally (`@crm/adapters/company-registry`), an HTTP provider in production.
 * Callers never use a registry directly: `createCompanyEnrichment` wraps one with a cache, a
 * per-tenant budget, a timeout, retries and a circuit breaker.
 */

/** Normalised registration status (adapters map the registry's wording, e.g. 存续/在业 → active). */
export const COMPANY_STATUSES = ['active', 'revoked', 'cancelled', 'liquidating', 'other'] as const;

export const CompanyRecord = z.object({
  /** Unified social credit code (GB 32100-2015), checksum-valid. */
  creditCode: z.string().refine(isValidCreditCode, 'must be a valid unified social credit code'),
  name: z.string().min(1).max(200),
  legalRepresentative: z.string().min(1).max(100),
  registeredCapital: z.object({
    /** In units of `currency` (not 万元). */
    amount: z.number().nonnegative(),
    /** ISO 4217. */
    currency: z.string().regex(/^[A-Z]{3}$/),
  }),
  status: z.enum(COMPANY_STATUSES),
  /** Industry as the registry names it (GB/T 4754 category). */
  industry: z.string().max(200),
  /** Registered address. */
  address: z.string().max(500),
  /** Date of establishment, YYYY-MM-DD. */
  establishedOn: z.iso.date(),
  /** Which adapter/provider answered, e.g. `fixture` or `http:<provider>`. */
  source: z.string().min(1).max(100),
});
export type CompanyRecord = z.infer<typeof CompanyRecord>;

/** What to look up: the credit code when known (exact), otherwise the registered name. */
export interface CompanyQuery {
  name?: string;
  creditCode?: string;
}

export interface CompanyRegistry {
  /**
   * The registry's record of the company, or undefined when it has none. Rejects on transport or
   * provider errors. Implementations should stop work when `signal` aborts (the caller timed out).
   */
  lookup(query: CompanyQuery, options?: { signal?: AbortSignal }): Promise<CompanyRecord | undefined>;
}

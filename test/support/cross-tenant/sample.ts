/**
 * A request the cross-tenant matrix (test/e2e/auth-and-tenancy.test.ts) sends to an id route with
 * another tenant's id. One file per bounded context; every manifest route with `{id}` needs one.
 */
export interface CrossTenantSample {
  /** Which of tenant A's records the id names (default: a customer). */
  target?: 'customer' | 'org-unit' | 'grant' | 'merge' | 'duplicate-scan' | 'interaction' | 'parked-interaction' | 'webhook' | 'order' | 'task' | 'note' | 'pipeline' | 'deal' | 'analytics-query';
  body?: unknown;
  headers?: Record<string, string>;
  query?: string;
}

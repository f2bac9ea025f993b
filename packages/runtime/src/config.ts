import * as z from 'zod';

/**
 * Configuration of a Lambda container, validated once at cold start. A missing resource name is a
 * start-up error, never a silent default.
 */
export const AwsRuntimeConfig = z.object({
  CRM_RUNTIME: z.literal('aws'),
  TABLE_NAME: z.string().min(3),
  AWS_REGION: z.string().min(1),
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default('crm'),
  /** Set on functions whose manifest entry has `buckets: ['audit']`. */
  AUDIT_BUCKET: z.string().min(3).optional(),
  /** Set on functions whose manifest entry has `buckets: ['imports']` (import/export transfers). */
  IMPORTS_BUCKET: z.string().min(3).optional(),
  /** Set on functions whose manifest entry has `buckets: ['recordings']` (call recordings). */
  RECORDINGS_BUCKET: z.string().min(3).optional(),
  /** Tenant data-access role (read or read-write) that request handlers assume per tenant. */
  TENANT_ROLE_ARN: z.string().min(20).optional(),
  /** Business-registry gateway for company enrichment (optional; without it enrichment is `unavailable`). */
  COMPANY_REGISTRY_URL: z.url().optional(),
  COMPANY_REGISTRY_PROVIDER: z.string().min(1).default('registry'),
  /** Set on functions whose manifest entry has `fieldEncryption: true`. */
  FIELD_KEY_ARN: z.string().min(20).optional(),
});
export type AwsRuntimeConfig = z.infer<typeof AwsRuntimeConfig>;

export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

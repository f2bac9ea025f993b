import * as z from 'zod';
import { resolve } from 'node:path';

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** Local runtime configuration, validated at start-up. Only loopback hosts are allowed. */
export const LocalConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().refine((h) => LOOPBACK.includes(h), 'HOST must be a loopback address (127.0.0.1, ::1, localhost)').default('127.0.0.1'),
  CRM_DATA_DIR: z.string().min(1).default('.crm').transform((p) => resolve(p)),
  POWERTOOLS_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']).default('WARN'),
});
export type LocalConfig = z.infer<typeof LocalConfig>;

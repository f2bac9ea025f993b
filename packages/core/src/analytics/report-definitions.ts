import * as z from 'zod';
import type { SqlValue } from './sql-dialect';

/** Column types a report declares; engines convert their raw values with `convertColumnValue`. */
export type ColumnType = 'string' | 'integer' | 'decimal' | 'double' | 'boolean' | 'timestamp';

/**
 * One result row. Integers and doubles are numbers, decimals (money) are exact strings such as
 * "1234.50", timestamps ISO 8601 UTC strings with milliseconds, booleans booleans.
 */
export type AnalyticsRow = Record<string, string | number | boolean | null>;

export const REPORT_NAMES = ['rfm', 'funnel', 'churn-risk', 'inactive-customers'] as const;
export const ReportName = z.enum(REPORT_NAMES);
export type ReportName = z.infer<typeof ReportName>;

/** Tenant ids as they appear in lake partition paths (ULIDs in production, short ids in tests). */
export const LakeTenantId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY');

export const RfmParams = z.strictObject({
  currency: Currency,
  /** Orders before this instant count; recency is measured to its UTC date. */
  asOf: Instant,
});
export type RfmParams = z.infer<typeof RfmParams>;

export const ChurnRiskParams = z.strictObject({
  currency: Currency,
  asOf: Instant,
  /** Days without a paid order (calendar days, UTC) that make a high-value customer at risk. */
  days: z.number().int().min(1).max(3650).default(30),
});
export type ChurnRiskParams = z.infer<typeof ChurnRiskParams>;

export const InactiveCustomersParams = z.strictObject({
  /** Activity before this instant counts (the job passes now). */
  asOf: Instant,
  /** Days (of 24 h) without activity before `asOf` that make a customer inactive. */
  days: z.number().int().min(1).max(3650),
});
export type InactiveCustomersParams = z.infer<typeof InactiveCustomersParams>;

export const FunnelParams = z.strictObject({
  pipelineId: z.string().min(1).max(128),
  /** Stage changes at or after this instant... */
  from: Instant,
  /** ...and before this one. */
  to: Instant,
  /**
   * The pipeline's stage order (its stage keys). Conversion runs along this order; stages seen in the
   * data but not listed follow, by deals reached (descending) then key, without a conversion.
   * Without it the order comes from the data the same way.
   */
  stages: z.array(z.string().min(1).max(128)).max(100).optional(),
}).refine((p) => Date.parse(p.from) < Date.parse(p.to), { message: 'from must be before to', path: ['to'] });
export type FunnelParams = z.infer<typeof FunnelParams>;

export interface ReportDefinition<P> {
  name: ReportName;
  params: z.ZodType<P, unknown>;
  /** Result columns of the SQL, in order. */
  columns: Readonly<Record<string, ColumnType>>;
  /** The named SQL parameters (`:name`) of the template. */
  sqlParams(tenantId: string, params: P): Record<string, SqlValue>;
  /** Pure post-processing of the converted SQL rows (the same for every engine). */
  finish(rows: AnalyticsRow[], params: P): AnalyticsRow[];
  /**
   * True when `finish` keeps the SQL's rows and their order (the SQL's ORDER BY is final), so an
   * engine may cut a page of the result before finishing it (`AnalyticsEngine.runPage`).
   */
  pageable: boolean;
  /**
   * Set when, with every order before `as_of`, the rows are the same at any later `as_of` except
   * this integer column of calendar days, which grows by the days between: an engine may keep the
   * result at one `as_of` and shift the column (the DuckDB engine's pre-aggregation does).
   */
  asOfDaysColumn?: string;
}

/** `2026-11-25 08:00:00.000` (UTC) — the literal form both Trino and DuckDB CAST to TIMESTAMP. */
export function sqlTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

const RFM_COLUMNS = {
  customer_id: 'string', recency_days: 'integer', frequency: 'integer', monetary: 'decimal', last_order_at: 'timestamp',
  r_score: 'integer', f_score: 'integer', m_score: 'integer', r_high: 'boolean', f_high: 'boolean', m_high: 'boolean', segment: 'string',
} as const satisfies Record<string, ColumnType>;

export const rfmReport: ReportDefinition<RfmParams> = {
  name: 'rfm',
  params: RfmParams,
  columns: RFM_COLUMNS,
  sqlParams: (tenantId, p) => ({ tenant_id: tenantId, currency: p.currency, as_of: sqlTimestamp(p.asOf) }),
  finish: (rows) => rows,
  pageable: true,
  // Quintiles rank by recency (a constant shift keeps the order) and high/low compares recency with
  // its average (both shift alike): only recency_days itself moves with as_of (rfm.sql).
  asOfDaysColumn: 'recency_days',
};

export const churnRiskReport: ReportDefinition<ChurnRiskParams> = {
  name: 'churn-risk',
  params: ChurnRiskParams,
  columns: { customer_id: 'string', recency_days: 'integer', frequency: 'integer', monetary: 'decimal', last_order_at: 'timestamp' },
  sqlParams: (tenantId, p) => ({ tenant_id: tenantId, currency: p.currency, as_of: sqlTimestamp(p.asOf), days: p.days }),
  finish: (rows) => rows,
  pageable: true,
};

const DAY_MS = 86_400_000;

/** Customers without activity for `days` before `asOf`: the candidates of the customer archive (ADR 0034). */
export const inactiveCustomersReport: ReportDefinition<InactiveCustomersParams> = {
  name: 'inactive-customers',
  params: InactiveCustomersParams,
  columns: { customer_id: 'string', last_activity_at: 'timestamp' },
  sqlParams: (tenantId, p) => ({
    tenant_id: tenantId, as_of: sqlTimestamp(p.asOf), cutoff: sqlTimestamp(new Date(Date.parse(p.asOf) - p.days * DAY_MS).toISOString()),
  }),
  finish: (rows) => rows,
  pageable: true,
};

export const funnelReport: ReportDefinition<FunnelParams> = {
  name: 'funnel',
  params: FunnelParams,
  columns: { stage: 'string', deals_reached: 'integer', deals_lost: 'integer', median_ms: 'double' },
  sqlParams: (tenantId, p) => ({ tenant_id: tenantId, pipeline_id: p.pipelineId, from: sqlTimestamp(p.from), to: sqlTimestamp(p.to) }),
  finish: (rows, p) => orderFunnel(rows, p.stages),
  pageable: false,
};

/**
 * Orders funnel rows along `stages` and adds `position` (1-based) and `conversion_to_next`
 * (deals reaching the next listed stage / deals reaching this one; null for the last listed stage,
 * for unlisted stages and when none reached this one).
 */
export function orderFunnel(rows: AnalyticsRow[], stages: readonly string[] | undefined): AnalyticsRow[] {
  const byStage = new Map(rows.map((r) => [String(r.stage), r]));
  const listed = stages ?? [];
  const rest = rows
    .filter((r) => !listed.includes(String(r.stage)))
    .sort((a, b) => Number(b.deals_reached) - Number(a.deals_reached) || (String(a.stage) < String(b.stage) ? -1 : 1));
  const ordered: AnalyticsRow[] = [
    ...listed.map((s) => byStage.get(s) ?? { stage: s, deals_reached: 0, deals_lost: 0, median_ms: null }),
    ...rest,
  ];
  return ordered.map((row, i) => {
    const next = i + 1 < listed.length ? ordered[i + 1] : undefined;
    const reached = Number(row.deals_reached);
    return { ...row, position: i + 1, conversion_to_next: next && reached > 0 ? Number(next.deals_reached) / reached : null };
  });
}

export const REPORTS = { rfm: rfmReport, funnel: funnelReport, 'churn-risk': churnRiskReport, 'inactive-customers': inactiveCustomersReport } as const;

export interface ReportParamsByName {
  rfm: z.input<typeof RfmParams>;
  funnel: z.input<typeof FunnelParams>;
  'churn-risk': z.input<typeof ChurnRiskParams>;
  'inactive-customers': z.input<typeof InactiveCustomersParams>;
}

/** A page size for `AnalyticsEngine.runPage`: a whole number from 1 to 100,000. */
export function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new RangeError(`Invalid page limit ${limit}`);
  return limit;
}

/** Turns one raw engine value into the row's declared type (DuckDB JSON values or Athena strings). */
export function convertColumnValue(type: ColumnType, raw: unknown): string | number | boolean | null {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'string': return String(raw);
    case 'integer':
    case 'double': return Number(raw);
    case 'decimal': return String(raw);
    case 'boolean': return raw === true || raw === 'true';
    case 'timestamp': {
      // `YYYY-MM-DD HH:MM:SS[.fraction]` (both engines) → ISO with milliseconds, UTC.
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(String(raw));
      if (!m) throw new Error(`Unexpected timestamp value ${String(raw)}`);
      return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
    }
  }
}

/** A report call checked and ready for an engine: the template's parameters and the finishing step. */
export interface PreparedReport {
  report: ReportName;
  columns: Readonly<Record<string, ColumnType>>;
  sqlParams: Record<string, SqlValue>;
  finish(rows: AnalyticsRow[]): AnalyticsRow[];
  /** See ReportDefinition.pageable. */
  pageable: boolean;
  /** See ReportDefinition.asOfDaysColumn. */
  asOfDaysColumn?: string;
}

/** Validates the tenant and the params (zod; throws ZodError) and prepares the report for an engine. */
export function prepareReport(tenantId: string, report: ReportName, params: unknown): PreparedReport {
  const tenant = LakeTenantId.parse(tenantId);
  const def = REPORTS[report] as ReportDefinition<unknown>;
  const parsed = def.params.parse(params);
  return {
    report,
    columns: def.columns,
    sqlParams: def.sqlParams(tenant, parsed),
    finish: (rows) => def.finish(rows, parsed),
    pageable: def.pageable,
    ...(def.asOfDaysColumn ? { asOfDaysColumn: def.asOfDaysColumn } : {}),
  };
}

/** Converts raw rows (objects keyed by column name) by the declared column types. */
export function convertRows(columns: Readonly<Record<string, ColumnType>>, raw: readonly Record<string, unknown>[]): AnalyticsRow[] {
  const entries = Object.entries(columns);
  const out: AnalyticsRow[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    const row: AnalyticsRow = {};
    for (const [name, type] of entries) row[name] = convertColumnValue(type, r[name]);
    out[i] = row;
  }
  return out;
}

import * as z from 'zod';
import { CreateCustomerInput, CUSTOMER_KINDS } from '../customers/customer.schema';
import type { FieldDefinition } from '../fields/field-registry';

/**
 * CSV header → customer field mapping for imports. A mapping names, per CSV header, a standard
 * field, an address part, `customFields.<key>` or `ignore`; headers the mapping leaves out are
 * matched by name (English and Chinese aliases), `customFields.<key>` headers map to themselves and
 * anything else is ignored. Each row becomes the same `CreateCustomerInput` the API validates.
 */
export const STANDARD_IMPORT_TARGETS = [
  'name', 'kind', 'phones', 'emails', 'tags', 'address', 'address.line1', 'address.line2', 'address.city', 'address.region',
  'address.postalCode', 'address.country', 'ownerId', 'orgPath', 'companyId', 'ignore',
] as const;
/** Targets that may appear in several columns (their values are concatenated). */
const LIST_TARGETS = new Set(['phones', 'emails', 'tags']);

export const ImportTarget = z.union([
  z.enum(STANDARD_IMPORT_TARGETS),
  z.string().regex(/^customFields\.[a-z][a-zA-Z0-9_]{0,63}$/, 'must be a standard field or customFields.<key>'),
]);
export type ImportTarget = z.infer<typeof ImportTarget>;

export const ImportMapping = z.record(z.string().min(1).max(200), ImportTarget).refine((m) => Object.keys(m).length <= 300, 'at most 300 mapped columns');
export type ImportMapping = z.infer<typeof ImportMapping>;

const ALIASES: Record<string, ImportTarget> = {};
const alias = (target: ImportTarget, ...names: string[]) => names.forEach((n) => (ALIASES[headerKey(n)] = target));
alias('name', 'name', 'customer name', 'full name', 'company name', '名称', '姓名', '客户名称', '客户名', '公司名称', '企业名称');
alias('kind', 'kind', 'type', 'customer type', '类型', '客户类型');
alias('phones', 'phone', 'phones', 'mobile', 'tel', 'telephone', 'phone number', '电话', '手机', '手机号', '手机号码', '联系电话', '电话号码');
alias('emails', 'email', 'emails', 'e-mail', 'mail', '邮箱', '电子邮件', '电子邮箱', '邮件');
alias('tags', 'tags', 'tag', 'labels', '标签');
alias('address', 'address', 'address line', '地址', '详细地址', '联系地址');
alias('address.city', 'city', '城市', '市');
alias('address.region', 'region', 'province', 'state', '省份', '省');
alias('address.postalCode', 'postal code', 'postcode', 'zip', 'zip code', '邮编', '邮政编码');
alias('address.country', 'country', '国家');
alias('ownerId', 'owner', 'owner id', '负责人');
alias('orgPath', 'org path', 'org', '部门路径');
alias('companyId', 'company id');

function headerKey(header: string): string {
  return header.normalize('NFKC').trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/** One CSV column and where its values go (`undefined` = ignored). */
export interface ColumnPlan {
  header: string;
  target: Exclude<ImportTarget, 'ignore'> | undefined;
}

/** Thrown for a mapping that cannot apply to the file (the job fails before any row is written). */
export class ImportMappingError extends Error {
  override readonly name = 'ImportMappingError';
}

/** Decides each column's target from the file's header row and the caller's mapping. */
export function planColumns(header: readonly string[], mapping: ImportMapping = {}): ColumnPlan[] {
  const cleaned = header.map((h) => h.trim());
  const missing = Object.keys(mapping).filter((h) => !cleaned.includes(h.trim()));
  if (missing.length) throw new ImportMappingError(`The mapping names columns the file does not have: ${missing.join(', ')}`);
  const explicit = new Map(Object.entries(mapping).map(([h, t]) => [h.trim(), t]));
  const plans = cleaned.map((h): ColumnPlan => {
    const target = explicit.get(h) ?? (/^customFields\.[a-z][a-zA-Z0-9_]{0,63}$/.test(h) ? (h as ImportTarget) : ALIASES[headerKey(h)]);
    return { header: h, target: target === 'ignore' ? undefined : target };
  });
  const seen = new Map<string, string>();
  for (const plan of plans) {
    if (!plan.target || LIST_TARGETS.has(plan.target)) continue;
    const earlier = seen.get(plan.target);
    if (earlier !== undefined) throw new ImportMappingError(`Columns "${earlier}" and "${plan.header}" both map to ${plan.target}`);
    seen.set(plan.target, plan.header);
  }
  if (!plans.some((p) => p.target === 'name')) throw new ImportMappingError('No column maps to name (map one with mapping: { "<header>": "name" })');
  return plans;
}

const LIST_SEPARATOR = /[;；,，|、\n]+/;
const KIND_ALIASES: Record<string, (typeof CUSTOMER_KINDS)[number]> = {
  person: 'person', individual: 'person', p: 'person', 个人: 'person', 联系人: 'person',
  company: 'company', organisation: 'company', organization: 'company', c: 'company', 公司: 'company', 企业: 'company', 组织: 'company',
};
const TRUE = new Set(['true', 'yes', 'y', '1', '是', '对']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '不']);

/** A cell problem, reported per row in the error report. */
export interface RowIssue {
  column: string;
  code: string;
  message: string;
}

export type RowMapping = { ok: true; input: CreateCustomerInput; body: Record<string, unknown> } | { ok: false; issues: RowIssue[] };

/**
 * Maps one record to a validated `CreateCustomerInput`. Empty cells are absent values; list columns
 * split on `; , | 、` (ASCII and full-width); custom-field values are coerced to the registry's type
 * (number, boolean, multi-enum list). Problems name the column they came from.
 */
export function mapRow(
  plans: readonly ColumnPlan[],
  cells: readonly string[],
  options: { defaultKind: (typeof CUSTOMER_KINDS)[number]; fields?: readonly FieldDefinition[] },
): RowMapping {
  const issues: RowIssue[] = [];
  if (cells.length !== plans.length) {
    issues.push({ column: '', code: 'column_count', message: `expected ${plans.length} columns, found ${cells.length}` });
    return { ok: false, issues };
  }
  const body: Record<string, unknown> = {};
  const address: Record<string, string> = {};
  const customFields: Record<string, unknown> = {};
  const columnOf = new Map<string, string>();
  plans.forEach((plan, i) => {
    const value = (cells[i] ?? '').trim();
    if (!plan.target) return;
    const target = plan.target;
    if (!columnOf.has(target)) columnOf.set(target, plan.header);
    if (value === '') return;
    if (target === 'phones' || target === 'emails') {
      const parts = value.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean);
      const list = (body[target] ??= []) as unknown[];
      for (const part of parts) list.push(target === 'phones' ? { number: part } : { address: part });
    } else if (target === 'tags') {
      ((body.tags ??= []) as string[]).push(...value.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean));
    } else if (target === 'kind') {
      const kind = KIND_ALIASES[value.toLowerCase()];
      if (kind) body.kind = kind;
      else issues.push({ column: plan.header, code: 'invalid_value', message: `kind must be person or company, not "${value}"` });
    } else if (target === 'address') {
      address.line1 = value;
    } else if (target.startsWith('address.')) {
      address[target.slice('address.'.length)] = target === 'address.country' ? value.toUpperCase() : value;
    } else if (target.startsWith('customFields.')) {
      const key = target.slice('customFields.'.length);
      const coerced = coerceCustomField(value, options.fields?.find((f) => f.key === key));
      if (coerced.ok) customFields[key] = coerced.value;
      else issues.push({ column: plan.header, code: 'invalid_value', message: coerced.message });
    } else {
      body[target] = value;
    }
  });
  body.kind ??= options.defaultKind;
  if (Object.keys(address).length) body.address = address;
  if (Object.keys(customFields).length) body.customFields = customFields;
  if (issues.length) return { ok: false, issues };

  const parsed = CreateCustomerInput.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [top, second, third] = issue.path.map(String);
      const target = top === 'address' && third === undefined && second ? `address.${second}` : top === 'customFields' && second ? `customFields.${second}` : (top ?? '');
      const column = columnOf.get(target) ?? (top === 'address' ? columnOf.get('address') : undefined) ?? target;
      issues.push({ column, code: 'invalid_value', message: `${issue.path.join('.') || 'row'}: ${issue.message}` });
    }
    return { ok: false, issues };
  }
  return { ok: true, input: parsed.data, body };
}

function coerceCustomField(value: string, definition: FieldDefinition | undefined): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (definition?.type) {
    case 'number':
    case 'currency': {
      const n = Number(value.replace(/[,，\s]/g, ''));
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `${definition.key} must be a number, not "${value}"` };
    }
    case 'boolean': {
      const v = value.toLowerCase();
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return { ok: false, message: `${definition.key} must be true or false, not "${value}"` };
    }
    case 'multiEnum':
      return { ok: true, value: value.split(LIST_SEPARATOR).map((s) => s.trim()).filter(Boolean) };
    default:
      return { ok: true, value };
  }
}

/** Which column a use-case error path (`body.customFields.x`, `body.phones.0`) came from. */
export function columnOfPath(plans: readonly ColumnPlan[], path: string): string {
  const [, top, second] = path.split('.');
  const target = top === 'customFields' && second ? `customFields.${second}` : top ?? '';
  return plans.find((p) => p.target === target)?.header ?? plans.find((p) => p.target?.startsWith(`${target}.`))?.header ?? '';
}

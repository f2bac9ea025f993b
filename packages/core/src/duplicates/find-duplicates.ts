import type { TableStore } from '../ports/table-store.port';
import type { SecuredContext } from '../access/access-policy';
import { canSeeRecord } from '../access/data-scope';
import { blockingKeyPartition, blockingKeys, type BlockingKeyType, type BlockingSource } from './duplicate-keys';
import type { DuplicateCandidate } from './duplicate.types';

/**
 * Scored matching over the candidates the blocking keys find. Each matched key type has a weight;
 * independent evidence combines as 1 − Π(1 − w), so two weak signals make a stronger one. The
 * strongest rule names the match. Weights are per kind: a shared switchboard or a common person's
 * name alone says little, a shared unified social credit code says everything.
 */
const RULES: Record<'person' | 'company', Record<BlockingKeyType, { weight: number; rule: string }>> = {
  person: {
    creditCode: { weight: 0.99, rule: 'same-credit-code' },
    phone: { weight: 0.9, rule: 'same-mobile' },
    email: { weight: 0.9, rule: 'same-email' },
    fixedLine: { weight: 0.3, rule: 'same-fixed-line' },
    name: { weight: 0.4, rule: 'same-name' },
    namePinyin: { weight: 0.2, rule: 'similar-name' },
  },
  company: {
    creditCode: { weight: 0.99, rule: 'same-credit-code' },
    phone: { weight: 0.7, rule: 'same-mobile' },
    email: { weight: 0.7, rule: 'same-email' },
    fixedLine: { weight: 0.6, rule: 'same-fixed-line' },
    name: { weight: 0.85, rule: 'same-company-name' },
    namePinyin: { weight: 0.5, rule: 'similar-company-name' },
  },
};

/** A person with the same name at the same company is very likely the same person. */
const SAME_COMPANY = { weight: 0.6, rule: 'same-name-same-company' };

/** Candidates scoring below this are not reported. */
export const DUPLICATE_THRESHOLD = 0.5;
/** Ids read per blocking key (a very common name must not fan out). */
const PER_KEY_LIMIT = 25;
/** Candidates reported at most. */
const MAX_CANDIDATES = 10;

export interface DuplicateSearchResult {
  /** Candidates the caller may see, best first. */
  visible: DuplicateCandidate[];
  /** Candidates above the threshold outside the caller's data domain (counted, never described). */
  hidden: number;
}

interface Hit {
  id: string;
  matched: Set<BlockingKeyType>;
}

/** Live customers the record resembles (excluding `excludeIds`, e.g. the record itself on update). */
export async function findDuplicates(
  store: TableStore,
  ctx: SecuredContext,
  record: BlockingSource & { companyId?: string },
  options: { excludeIds?: readonly string[] } = {},
): Promise<DuplicateSearchResult> {
  const { tenantId } = ctx.principal;
  const keys = blockingKeys(record);
  if (keys.length === 0) return { visible: [], hidden: 0 };
  const pages = await Promise.all(keys.map((key) => store.query({ partition: blockingKeyPartition(tenantId, key), limit: PER_KEY_LIMIT })));
  const hits = new Map<string, Hit>();
  const exclude = new Set(options.excludeIds ?? []);
  pages.forEach((page, i) => {
    for (const item of page.items) {
      const id = item.customerId as string;
      if (exclude.has(id)) continue;
      const hit = hits.get(id) ?? { id, matched: new Set<BlockingKeyType>() };
      hit.matched.add(keys[i]!.type);
      hits.set(id, hit);
    }
  });
  if (hits.size === 0) return { visible: [], hidden: 0 };

  const scored = [...hits.values()].map((hit) => ({ hit, ...scoreHit(record.kind, hit.matched) })).filter((s) => s.score >= DUPLICATE_THRESHOLD || s.hit.matched.has('name'));
  if (scored.length === 0) return { visible: [], hidden: 0 };
  const profiles = await store.batchGet(scored.map((s) => ({ pk: `T#${tenantId}#C#${s.hit.id}`, sk: 'PROFILE' })));
  const byId = new Map(profiles.map((p) => [p.id as string, p]));

  const visible: DuplicateCandidate[] = [];
  let hidden = 0;
  for (const s of scored) {
    const p = byId.get(s.hit.id);
    // Lookup items are written with the record, but a merged or deleted record's items may linger
    // in a concurrent read; the profile is the truth.
    if (!p || p.deletedAt || p.mergedInto || p.kind !== record.kind) continue;
    let { score, rule } = s;
    // A pinyin match says nothing more when the names are equal anyway.
    const matchedOn: string[] = [...s.hit.matched].filter((t) => !(t === 'namePinyin' && s.hit.matched.has('name')));
    if (record.kind === 'person' && s.hit.matched.has('name') && record.companyId && p.companyId === record.companyId) {
      score = 1 - (1 - score) * (1 - SAME_COMPANY.weight);
      matchedOn.push('companyId');
      if (SAME_COMPANY.weight > RULES.person[strongest(record.kind, s.hit.matched)].weight) rule = SAME_COMPANY.rule;
    }
    if (score < DUPLICATE_THRESHOLD) continue;
    const candidate = p as unknown as { orgPath?: string; ownerId: string | null; id: string };
    if (!canSeeRecord(ctx.access, 'customer', candidate)) {
      hidden += 1;
      continue;
    }
    visible.push({ id: s.hit.id, name: p.name as string, score: round(score), matchedOn, rule });
  }
  visible.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return { visible: visible.slice(0, MAX_CANDIDATES), hidden };
}

/** Score and rule of a set of matched key types (exported for the scan job and tests). */
export function scoreHit(kind: 'person' | 'company', matched: Iterable<BlockingKeyType>): { score: number; rule: string } {
  const types = [...matched];
  // A pinyin match adds nothing when the names are equal anyway.
  const evidence = types.includes('name') ? types.filter((t) => t !== 'namePinyin') : types;
  const score = 1 - evidence.reduce((rest, t) => rest * (1 - RULES[kind][t].weight), 1);
  return { score, rule: RULES[kind][strongest(kind, evidence)].rule };
}

function strongest(kind: 'person' | 'company', types: Iterable<BlockingKeyType>): BlockingKeyType {
  let best: BlockingKeyType | undefined;
  for (const t of types) if (!best || RULES[kind][t].weight > RULES[kind][best].weight) best = t;
  return best ?? 'name';
}

const round = (n: number) => Math.round(n * 1000) / 1000;

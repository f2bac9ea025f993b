import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { breakingSchemaChanges, EVENT_DEFINITIONS, eventJsonSchema, eventSchema, type EventDefinition } from '@crm/core';
import { CATALOGUE_FILE, fixtureFile, renderCatalogue, sampleEvents, schemaFile } from '../../../scripts/event-contracts';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const label = (d: Pick<EventDefinition, 'type' | 'version'>) => `${d.type} v${d.version}`;

describe('event contracts (events/, docs/events.md)', () => {
  it('every registered (type, version) has a frozen JSON Schema and a fixture; none is orphaned', () => {
    for (const d of EVENT_DEFINITIONS) {
      expect(existsSync(schemaFile(d)), `${schemaFile(d)} missing: run npm run events:contracts`).toBe(true);
      expect(existsSync(fixtureFile(d)), `${fixtureFile(d)} missing: run npm run events:contracts`).toBe(true);
    }
    const registered = new Set(EVENT_DEFINITIONS.map((d) => `${d.type}.v${d.version}.json`));
    // A published version is never deleted: its schema file staying without a definition means one was.
    expect(readdirSync('events/schemas').filter((f) => !registered.has(f))).toEqual([]);
    expect(readdirSync('events/fixtures').filter((f) => !registered.has(f))).toEqual([]);
  });

  it('stored fixtures of every version still parse with the current schema', () => {
    for (const d of EVENT_DEFINITIONS) {
      const result = eventSchema(d).safeParse(readJson(fixtureFile(d)));
      expect(result.success, `${label(d)}: ${result.error?.message}`).toBe(true);
    }
  });

  it('the current schemas are backward compatible with the frozen ones (only optional fields added)', () => {
    for (const d of EVENT_DEFINITIONS) {
      expect(breakingSchemaChanges(readJson(schemaFile(d)), eventJsonSchema(d)), label(d)).toEqual([]);
    }
  });

  it('the compatibility check catches removed, retyped and newly required fields, and allows new optional ones', () => {
    const base = EVENT_DEFINITIONS.find((d) => d.type === 'customer.deleted')!;
    const frozen = eventJsonSchema(base);
    const changed = (data: z.ZodObject) => breakingSchemaChanges(frozen, eventJsonSchema({ ...base, data }));
    expect(changed(z.object({ version: z.number().int().positive(), deletedBy: z.string(), reason: z.string().optional() }))).toEqual([]);
    expect(changed(z.object({ version: z.number().int().positive() }))).toEqual(['$.data.deletedBy: removed']);
    expect(changed(z.object({ version: z.string(), deletedBy: z.string() })).join()).toMatch(/\$\.data\.version: "type" changed/);
    expect(changed(z.object({ version: z.number().int().positive(), deletedBy: z.string(), reason: z.string() }))).toEqual(['$.data.reason: added as required']);
    expect(changed(z.object({ version: z.number().int().positive(), deletedBy: z.string().optional() }))).toEqual(['$.data.deletedBy: no longer required']);
    expect(changed(z.object({ version: z.number().int().positive(), deletedBy: z.enum(['a']) })).join()).toMatch(/deletedBy: "enum" changed/);
  });

  it('the fixtures are what the change-record mapping produces for the sample changes', () => {
    const samples = sampleEvents();
    for (const d of EVENT_DEFINITIONS) {
      expect(samples.find((e) => e.type === d.type && e.version === d.version), label(d)).toEqual(readJson(fixtureFile(d)));
    }
  });

  it('docs/events.md is the generated catalogue and lists every event', () => {
    const committed = readFileSync(CATALOGUE_FILE, 'utf8');
    expect(committed, 'docs/events.md is stale: run npm run events:contracts').toBe(renderCatalogue());
    for (const d of EVENT_DEFINITIONS) expect(committed).toContain(`### ${d.type} v${d.version}`);
  });
});

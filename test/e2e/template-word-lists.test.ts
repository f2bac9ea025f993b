import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('templates install sensitive-word lists', () => {
  it('installs the lists of a template once, lists them for the tenant only, and leaves them alone on re-install', async () => {
    const admin = await server.token('fin-co', { userId: 'root', roles: ['admin'] });
    const templates = (await server.call('GET', '/v1/templates', { token: admin })).body.items as Array<{ name: string; wordLists: Array<{ name: string; action: string; words: number }> }>;
    expect(templates.find((t) => t.name === 'financial-advisory')!.wordLists).toEqual([
      { name: 'guaranteed-returns', action: 'block', words: expect.any(Number) },
      { name: 'suitability-review', action: 'flag', words: expect.any(Number) },
    ]);
    expect(templates.filter((t) => t.wordLists.length > 0).map((t) => t.name).sort()).toEqual(['education-training', 'financial-advisory', 'law-firm', 'medical-clinic', 'retail-chain']);

    expect((await server.call('GET', '/v1/compliance/word-lists', { token: admin })).body).toEqual({ items: [], next: null });
    const first = await server.call('POST', '/v1/templates/financial-advisory/install', { token: admin });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ installedWordLists: ['guaranteed-returns', 'suitability-review'], skippedWordLists: [] });

    const listed = await server.call('GET', '/v1/compliance/word-lists', { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.next).toBeNull();
    expect(listed.body.items).toEqual([
      {
        name: 'guaranteed-returns', action: 'block', source: 'template:financial-advisory', version: 1, updatedBy: 'root', updatedAt: expect.any(String),
        words: expect.arrayContaining(['保本保息', '稳赚不赔']),
      },
      expect.objectContaining({ name: 'suitability-review', action: 'flag', source: 'template:financial-advisory', version: 1 }),
    ]);

    const again = await server.call('POST', '/v1/templates/financial-advisory/install', { token: admin });
    expect(again.body).toMatchObject({
      installedWordLists: [],
      skippedWordLists: [{ name: 'guaranteed-returns', reason: 'already-installed' }, { name: 'suitability-review', reason: 'already-installed' }],
    });
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: admin })).body).toEqual(listed.body);

    // A second template adds its own lists next to them.
    expect((await server.call('POST', '/v1/templates/education-training/install', { token: admin })).body.installedWordLists).toEqual(['guaranteed-results']);
    const both = (await server.call('GET', '/v1/compliance/word-lists', { token: admin })).body.items as Array<{ name: string; words: string[] }>;
    expect(both.map((l) => l.name)).toEqual(['guaranteed-results', 'guaranteed-returns', 'suitability-review']);
    expect(both[0]!.words).toContain('包过');

    // Managers read them; sales reps do not; another tenant sees none.
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: await server.token('fin-co', { userId: 'boss', roles: ['manager'] }) })).status).toBe(200);
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: await server.token('fin-co', { userId: 'rep', roles: ['sales'] }) })).status).toBe(403);
    const other = await server.token('other-co', { userId: 'root', roles: ['admin'] });
    expect((await server.call('GET', '/v1/compliance/word-lists', { token: other })).body).toEqual({ items: [], next: null });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNEL_DOC, renderChannelCatalogue } from '../../../scripts/channel-catalogue';

describe('docs/channels.md', () => {
  it('matches the channel registry (regenerate with `npx tsx scripts/channel-catalogue.ts`)', () => {
    expect(readFileSync(CHANNEL_DOC, 'utf8')).toBe(renderChannelCatalogue());
  });
});

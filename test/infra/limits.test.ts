import { describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { manifestWithStreamConsumer, missionSizeManifest } from './fixture-manifests';
import { resourcesOf, synthCrm } from './synth-crm';

/** CloudFormation's hard limit is 500; 400 leaves room for the resources a change adds. */
const RESOURCE_BUDGET = 400;

describe('stack size', () => {
  it.each([
    ['the real manifest', manifest],
    ['the manifest with stream consumers', manifestWithStreamConsumer],
    // ~100 functions: the whole mission. The API stack grows fastest (method + invoke permission per
    // route, plus path resources); past ~150 routes it needs splitting (see infra/stacks/api.stack.ts).
    ['a mission-size manifest (105 routes)', missionSizeManifest(3)],
  ])(`keeps every stack under ${RESOURCE_BUDGET} resources for %s`, (_label, entries) => {
    const { templates } = synthCrm({ manifest: entries });
    for (const [stackName, template] of templates) {
      const count = Object.keys(resourcesOf(template)).length;
      expect(count, `${stackName} has ${count} resources`).toBeLessThan(RESOURCE_BUDGET);
    }
  });
});

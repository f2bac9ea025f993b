import { accessSamples } from './access.samples';
import { customerSamples } from './customers.samples';
import { duplicateSamples } from './duplicates.samples';
import { importSamples } from './imports.samples';
import { interactionSamples } from './interactions.samples';
import { webhookSamples } from './webhooks.samples';
import type { CrossTenantSample } from './sample';

export type { CrossTenantSample } from './sample';
export const crossTenantSamples: Record<string, CrossTenantSample> = { ...customerSamples, ...duplicateSamples, ...accessSamples, ...importSamples, ...interactionSamples, ...webhookSamples };

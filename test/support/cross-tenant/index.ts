import { accessSamples } from './access.samples';
import { customerSamples } from './customers.samples';
import { duplicateSamples } from './duplicates.samples';
import { importSamples } from './imports.samples';
import { interactionSamples } from './interactions.samples';
import { webhookSamples } from './webhooks.samples';
import { orderSamples } from './orders.samples';
import { taskSamples } from './tasks.samples';
import { noteSamples } from './notes.samples';
import { dealSamples } from './deals.samples';
import { analyticsQuerySamples } from './analytics-queries.samples';
import { archiveSamples } from './archive.samples';
import type { CrossTenantSample } from './sample';

export type { CrossTenantSample } from './sample';
export const crossTenantSamples: Record<string, CrossTenantSample> = { ...customerSamples, ...duplicateSamples, ...accessSamples, ...importSamples, ...interactionSamples, ...webhookSamples, ...orderSamples, ...taskSamples, ...noteSamples, ...dealSamples, ...analyticsQuerySamples, ...archiveSamples };

import { accessEntries } from './entries/access.entries';
import { auditEntries } from './entries/audit.entries';
import { customerEntries } from './entries/customers.entries';
import { fieldEntries } from './entries/fields.entries';
import { templateEntries } from './entries/templates.entries';
import { complianceEntries } from './entries/compliance.entries';
import { enrichmentEntries } from './entries/enrichment.entries';
import { importEntries } from './entries/imports.entries';
import { duplicateEntries } from './entries/duplicates.entries';
import { geocodingEntries } from './entries/geocoding.entries';
import { platformEntries } from './entries/platform.entries';
import { securityEntries } from './entries/security.entries';
import { eventEntries } from './entries/events.entries';
import { interactionEntries } from './entries/interactions.entries';
import { webhookEntries } from './entries/webhooks.entries';
import { recordingEntries } from './entries/recordings.entries';
import { inboundEntries } from './entries/inbound.entries';
import { timerEntries } from './entries/timers.entries';
import { orderEntries } from './entries/orders.entries';
import { taskEntries } from './entries/tasks.entries';
import { noteEntries } from './entries/notes.entries';
import { dealEntries } from './entries/deals.entries';
import { lakeEntries } from './entries/lake.entries';
import { archiveEntries } from './entries/archive.entries';
import { analyticsQueryEntries } from './entries/analytics-queries.entries';
import { rfmChurnEntries } from './entries/rfm-churn.entries';
import type { ManifestEntry } from './manifest.types';

/**
 * Every HTTP route, stream consumer, event rule, schedule and identity trigger of the CRM, one file
 * per bounded context under entries/. Adding a use case = one handler under functions/ + one entry;
 * infra, the local server, the OpenAPI document and the manifest tests follow.
 */
export const manifest: readonly ManifestEntry[] = [...platformEntries, ...customerEntries, ...fieldEntries, ...templateEntries, ...complianceEntries, ...enrichmentEntries, ...importEntries, ...duplicateEntries, ...geocodingEntries, ...accessEntries, ...auditEntries, ...securityEntries, ...interactionEntries, ...webhookEntries, ...recordingEntries, ...inboundEntries, ...eventEntries, ...timerEntries, ...orderEntries, ...taskEntries, ...noteEntries, ...dealEntries, ...lakeEntries, ...archiveEntries, ...analyticsQueryEntries, ...rfmChurnEntries];

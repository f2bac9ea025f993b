import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createEventBridgeEventBus } from '@crm/adapters/eventbridge';
import { LocalBlobStore } from '@crm/adapters/local-blob';
import { createLocalEventBus } from '@crm/adapters/local-event-bus';
import type { EventBus } from '@crm/core';
import { parseConfig, type Container } from '@crm/runtime';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';

/**
 * Event-bus configuration. In AWS (`CRM_RUNTIME=aws`) the bus name is required — infra sets it on
 * functions whose manifest entry has `eventBus: 'publish'` — so a missing one fails the cold start.
 * Locally events go to the in-process bus, logged to `<CRM_DATA_DIR>/events/events.jsonl`.
 */
export const AwsEventBusConfig = z.object({
  AWS_REGION: z.string().min(1),
  EVENT_BUS_NAME: z.string().regex(/^[\w.-]{1,256}$/u, 'must be an EventBridge bus name'),
});

/** Where the local bus logs events (the data folder's default matches the local runtime's `.crm`). */
export function localEventLogFile(env: Record<string, string | undefined>): string {
  return join(resolve(env.CRM_DATA_DIR ?? '.crm'), 'events', 'events.jsonl');
}

/**
 * The event bus of a runtime: EventBridge PutEvents on the stage's bus in AWS (one SDK client per
 * container), the local in-process bus otherwise. Meant to move into the composition roots
 * (`Container.eventBus`); until then it is picked here, once per container.
 */
export function eventBusFromEnv(env: Record<string, string | undefined>): EventBus {
  if (env.CRM_RUNTIME === 'aws') {
    const config = parseConfig(AwsEventBusConfig, env);
    return createEventBridgeEventBus({ client: new EventBridgeClient({ region: config.AWS_REGION }), busName: config.EVENT_BUS_NAME });
  }
  return createLocalEventBus({ file: localEventLogFile(env) });
}

// One bus (and so one SDK client) per container, kept across warm invocations.
const buses = new WeakMap<Container, EventBus>();

/** The container's event bus. A composition root that already provides one (`eventBus`) wins over the environment. */
export function eventBusOf(container: Container, env: Record<string, string | undefined> = process.env): EventBus {
  let bus = buses.get(container);
  if (!bus) {
    bus = (container as Container & { eventBus?: EventBus }).eventBus ?? eventBusFromEnv(localDataEnv(container, env));
    buses.set(container, bus);
  }
  return bus;
}

/**
 * Until the local composition root provides `eventBus`, the local runtime's data folder is found
 * through its blob store (`<data>/blobs`), so each local server (and test server) logs to its own
 * folder rather than to wherever the process's CRM_DATA_DIR points.
 */
function localDataEnv(container: Container, env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.CRM_RUNTIME === 'aws' || !(container.blobs instanceof LocalBlobStore)) return env;
  return { ...env, CRM_DATA_DIR: dirname(dirname(container.blobs.fileOf('x'))) };
}

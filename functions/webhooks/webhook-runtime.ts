import { lookup } from 'node:dns/promises';
import type { DeliverableUrlOptions, WebhookDispatchDeps } from '@crm/core';
import type { Container } from '@crm/runtime';
import { guardedFetch } from './guarded-fetch';

/**
 * Which webhook targets this runtime accepts: in AWS (`CRM_RUNTIME=aws`) public https only; the
 * local runtime also allows loopback (over http) so developers can run a receiver on their machine.
 */
export function webhookTargets(env: Record<string, string | undefined> = process.env): DeliverableUrlOptions {
  return { allowLoopback: env.CRM_RUNTIME !== 'aws' };
}

/** Every address of a host name (A and AAAA): the SSRF guard refuses the name if any is not public. */
async function resolveHost(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * What the dispatcher and the replay route deliver with: a fetch whose connections pass the SSRF
 * guard (guarded-fetch.ts), Math.random jitter, DNS for the early check with a clear error.
 */
export function webhookDispatchDeps(container: Container, env: Record<string, string | undefined> = process.env): WebhookDispatchDeps {
  const targets = webhookTargets(env);
  return {
    store: container.store, clock: container.clock, ids: container.ids, encryptor: container.encryptor,
    fetch: guardedFetch(targets), random: Math.random, targets, resolveHost,
  };
}

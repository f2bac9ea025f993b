import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

/**
 * Inbound channel webhooks: no token; each request is signed with the tenant's per-provider secret
 * (verified in the handler before anything is parsed). Unknown identities may create leads, whose
 * sensitive fields are sealed: field encryption.
 */
export const inboundEntries: ManifestEntry[] = [
  {
    kind: 'http', name: 'receive-inbound', context: 'interactions', method: 'POST', path: '/v1/inbound/{tenant}/{provider}',
    entry: 'functions/inbound/receive-inbound.handler.ts', auth: { type: 'public' }, table: 'read-write', fieldEncryption: true,
    summary: 'Signed channel webhook (web-form, wechat-work, call-center-cdr) recorded as an interaction',
  },
  {
    kind: 'http', name: 'verify-inbound', context: 'interactions', method: 'GET', path: '/v1/inbound/{tenant}/{provider}',
    entry: 'functions/inbound/verify-inbound.handler.ts', auth: { type: 'public' }, table: 'read',
    summary: "WeChat Work's signed callback URL check (answers the decrypted echostr)",
  },
  jwtRoute('inbound', 'put-inbound-settings', 'PUT', '/v1/settings/inbound/{provider}', "Create or rotate the tenant's inbound webhook secret of a provider (shown once; admins)",
    { context: 'interactions', table: 'read-write', scopes: SCOPES.admin, permission: 'settings:manage' }),
];

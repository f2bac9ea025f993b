/**
 * Key of the partner-client → tenant mapping, the one identity item whose partition key does not
 * start with a tenant: the pre-token-generation trigger knows only the app client id when Cognito
 * issues a client-credentials token, so it must find the tenant from that id (docs/data-model.md,
 * "Identity"). Only the trigger reads it; tenant-scoped credentials (`T#<tenant>#*`) cannot.
 */
import type { ItemKey } from '../ports/table-store.port';

export const PARTNER_CLIENT_SK = 'TENANT';

export const partnerClientKeys = {
  mapping: (clientId: string): ItemKey => ({ pk: `CLIENT#${clientId}`, sk: PARTNER_CLIENT_SK }),
};

/** Cognito app client ids are 1-128 word characters; the local registry uses the same alphabet plus `-`. */
export const CLIENT_ID_PATTERN = /^[\w-]{1,128}$/;

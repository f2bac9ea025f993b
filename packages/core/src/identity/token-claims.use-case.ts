import { AppError } from '../errors';
import { CLAIMS, TENANT_ID_PATTERN } from '../principal';
import { ConditionFailedError, type TableStore } from '../ports/table-store.port';
import { CLIENT_ID_PATTERN, partnerClientKeys } from './partner-client.keys';

/** The role (Cognito group) that may only receive tokens with TOTP MFA set up. */
export const MFA_REQUIRED_ROLES: readonly string[] = ['admin'];

/**
 * Port: the MFA state of a user in the identity provider. AWS: Cognito `AdminGetUser`
 * (`UserMFASettingList`); tests: a Cognito SDK mock or a fake.
 */
export interface MfaDirectory {
  /** True when the user has TOTP (software token) MFA activated. */
  hasTotpMfa(user: { userPoolId: string; username: string }): Promise<boolean>;
}

/** A token about to be issued, in identity-provider-neutral terms. */
export type TokenClaimsRequest =
  /** A person signing in (or refreshing): groups = roles, attributes = the user's attributes. */
  | { kind: 'user'; userPoolId: string; username: string; groups: readonly string[]; attributes: Readonly<Record<string, string>> }
  /** A partner's client-credentials (machine-to-machine) grant. */
  | { kind: 'client'; clientId: string };

export interface TokenClaimsDeps {
  store: TableStore;
  mfa: MfaDirectory;
}

/**
 * Decides the custom claims of an access token about to be issued, or refuses the token.
 * - Users: copies the immutable `custom:tenant_id` / `custom:org_path` attributes; a user in an
 *   MFA-required role (admin) without TOTP MFA activated gets no token (Cognito has no per-group
 *   MFA switch, so this is where "MFA required for admins" is enforced). Users with TOTP activated
 *   are challenged for it on every sign-in, so an admin token always follows an MFA'd sign-in.
 * - Partner clients: the tenant comes from the `CLIENT#<clientId>` mapping item; an unknown client,
 *   or a mapping with an invalid tenant, gets no token.
 *
 * @throws AppError `forbidden` when no token may be issued (the trigger lets Cognito fail the grant)
 */
export async function resolveTokenClaims(deps: TokenClaimsDeps, request: TokenClaimsRequest): Promise<Record<string, string>> {
  if (request.kind === 'client') {
    if (!CLIENT_ID_PATTERN.test(request.clientId)) throw new AppError('forbidden', 'The client id is not valid');
    const mapping = await deps.store.get(partnerClientKeys.mapping(request.clientId), { consistent: true });
    const tenantId = mapping?.tenantId;
    if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
      throw new AppError('forbidden', `Client ${request.clientId} is not registered to a tenant`);
    }
    return { [CLAIMS.tenantId]: tenantId };
  }

  if (request.groups.some((group) => MFA_REQUIRED_ROLES.includes(group))) {
    const totp = await deps.mfa.hasTotpMfa({ userPoolId: request.userPoolId, username: request.username });
    if (!totp) throw new AppError('forbidden', 'Administrators must set up TOTP MFA before they can sign in');
  }
  const claims: Record<string, string> = {};
  const tenantId = request.attributes[CLAIMS.tenantId];
  const orgPath = request.attributes[CLAIMS.orgPath];
  if (tenantId) claims[CLAIMS.tenantId] = tenantId;
  if (orgPath) claims[CLAIMS.orgPath] = orgPath;
  return claims;
}

/**
 * Registers a partner app client with its tenant (operators; the local CLI keeps its own registry).
 * One client belongs to exactly one tenant: re-registering to another tenant is a conflict.
 */
export async function registerPartnerClient(store: TableStore, input: { clientId: string; tenantId: string }): Promise<void> {
  if (!CLIENT_ID_PATTERN.test(input.clientId)) throw new AppError('validation_failed', 'The client id is not valid');
  if (!TENANT_ID_PATTERN.test(input.tenantId)) throw new AppError('validation_failed', 'The tenant id is not valid');
  const key = partnerClientKeys.mapping(input.clientId);
  try {
    await store.put(
      { ...key, entity: 'partner-client', clientId: input.clientId, tenantId: input.tenantId },
      { condition: { kind: 'notExists' } },
    );
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const existing = await store.get(key, { consistent: true });
    if (existing?.tenantId !== input.tenantId) throw new AppError('conflict', `Client ${input.clientId} is registered to another tenant`);
  }
}

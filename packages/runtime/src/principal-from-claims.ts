import { AppError, CLAIMS, TENANT_ID_PATTERN, type Principal } from '@crm/core';

type Claims = Record<string, unknown>;

/**
 * Builds the typed principal from claims that an authorizer has already verified (API Gateway's
 * Cognito authorizer in AWS, the local verifier locally). API Gateway hands list claims over as
 * strings ("[admin sales]" or "admin,sales"), so both forms are accepted.
 */
export function principalFromClaims(claims: Claims | undefined): Principal {
  if (!claims) throw new AppError('unauthorized', 'No verified token');
  const tenantId = str(claims[CLAIMS.tenantId]);
  if (!tenantId || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new AppError('forbidden', 'The token carries no valid tenant');
  }
  const subject = str(claims[CLAIMS.subject]);
  if (!subject) throw new AppError('unauthorized', 'The token has no subject');
  const clientId = str(claims[CLAIMS.clientId]);
  const username = str(claims[CLAIMS.username]);
  const orgPath = str(claims[CLAIMS.orgPath]);
  const tokenId = str(claims.jti);
  return {
    tenantId,
    // Client-credentials tokens have no username: the subject is the app client itself.
    kind: username ? 'user' : 'client',
    subject,
    roles: list(claims[CLAIMS.groups]),
    scopes: list(claims[CLAIMS.scope]),
    ...(orgPath ? { orgPath } : {}),
    ...(clientId ? { clientId } : {}),
    ...(tokenId ? { tokenId } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v !== 'string') return [];
  return v.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

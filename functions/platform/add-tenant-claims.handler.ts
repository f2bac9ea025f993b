import { CLAIMS } from '@crm/core';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

/**
 * Cognito pre-token-generation (V2) trigger: copies the user's immutable tenant and org attributes
 * into the access token, so API Gateway's authorizer hands them to handlers as verified claims —
 * the same claim names the local issuer mints.
 */
export async function handler(event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> {
  const attributes = event.request.userAttributes;
  const claims: Record<string, string> = {};
  const tenantId = attributes[CLAIMS.tenantId];
  const orgPath = attributes[CLAIMS.orgPath];
  if (tenantId) claims[CLAIMS.tenantId] = tenantId;
  if (orgPath) claims[CLAIMS.orgPath] = orgPath;
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: { claimsToAddOrOverride: claims },
      idTokenGeneration: { claimsToAddOrOverride: claims },
    },
  };
  return event;
}

import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoMfaDirectory } from '@crm/adapters/cognito';
import { resolveTokenClaims, type TokenClaimsRequest } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { PreTokenGenerationV2TriggerEvent, PreTokenGenerationV3TriggerEvent } from 'aws-lambda';

/** A V3_0 trigger gets the V2 shape for people and `TokenGeneration_ClientCredentials` for partners. */
export type PreTokenGenerationEvent = PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3TriggerEvent;

// One SDK client per container; the region comes from the Lambda environment.
const mfa = cognitoMfaDirectory(new CognitoIdentityProviderClient({}));

/**
 * Cognito pre-token-generation (V3_0) trigger: adds the tenant (and org path) claims to access
 * tokens, with the claim names the local issuer mints. Throwing makes Cognito fail the sign-in or
 * grant: admins without TOTP MFA and unregistered partner clients get no token (`resolveTokenClaims`).
 */
export async function handler(event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent> {
  const { store, logger } = getContainer();
  const request: TokenClaimsRequest =
    event.triggerSource === 'TokenGeneration_ClientCredentials'
      ? { kind: 'client', clientId: event.callerContext.clientId }
      : {
          kind: 'user',
          userPoolId: event.userPoolId,
          username: event.userName,
          groups: event.request.groupConfiguration.groupsToOverride ?? [],
          attributes: event.request.userAttributes,
        };
  const claims = await resolveTokenClaims({ store, mfa }, request).catch((error: unknown) => {
    logger.warn('token refused', { triggerSource: event.triggerSource, clientId: event.callerContext.clientId, error });
    throw error;
  });
  const accessTokenGeneration = { claimsToAddOrOverride: claims };
  // Client-credentials grants issue no ID token.
  event.response = {
    claimsAndScopeOverrideDetails:
      request.kind === 'client' ? { accessTokenGeneration } : { accessTokenGeneration, idTokenGeneration: { claimsToAddOrOverride: claims } },
  };
  return event;
}

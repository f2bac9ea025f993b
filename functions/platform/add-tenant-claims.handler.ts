import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoMfaDirectory } from '@crm/adapters/cognito';
import { AppError, resolveTokenClaims, type TokenClaimsRequest } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { PreTokenGenerationV2TriggerEvent, PreTokenGenerationV3TriggerEvent } from 'aws-lambda';

/**
 * What a V3_0 pre-token-generation trigger receives: the V2 shape for people (sign-in, refresh,
 * hosted UI) and `TokenGeneration_ClientCredentials` for partners' machine-to-machine grants.
 */
export type PreTokenGenerationEvent = PreTokenGenerationV2TriggerEvent | PreTokenGenerationV3TriggerEvent;

// One SDK client per container; the region comes from the Lambda environment.
const mfa = cognitoMfaDirectory(new CognitoIdentityProviderClient({}));

/**
 * Cognito pre-token-generation (V3_0) trigger: adds the tenant (and org path) claims to access
 * tokens, so API Gateway's authorizer hands them to handlers as verified claims with the names the
 * local issuer mints. Refuses (throws, so Cognito fails the sign-in or grant) admins without TOTP
 * MFA and partner clients not registered to a tenant; see `resolveTokenClaims`.
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
  let claims: Record<string, string>;
  try {
    claims = await resolveTokenClaims({ store, mfa }, request);
  } catch (error) {
    if (error instanceof AppError) {
      logger.warn('token refused', { reason: error.message, triggerSource: event.triggerSource, clientId: event.callerContext.clientId });
    }
    throw error;
  }
  event.response = {
    claimsAndScopeOverrideDetails:
      request.kind === 'client'
        ? // Client-credentials grants issue no ID token.
          { accessTokenGeneration: { claimsToAddOrOverride: claims } }
        : { accessTokenGeneration: { claimsToAddOrOverride: claims }, idTokenGeneration: { claimsToAddOrOverride: claims } },
  };
  return event;
}

import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { MfaDirectory } from '@crm/core';

/** `UserMFASettingList` value of an activated TOTP (authenticator app) factor. */
const TOTP_MFA = 'SOFTWARE_TOKEN_MFA';

/**
 * MFA state from the Cognito user pool (`cognito-idp:AdminGetUser`, granted to the pre-token
 * trigger on its pool only). `UserMFASettingList` lists the factors activated for the user; a
 * user with an activated factor is challenged for it on every sign-in (device tracking is off).
 *
 * @param client created once per container, never per call
 */
export function cognitoMfaDirectory(client: CognitoIdentityProviderClient): MfaDirectory {
  return {
    async hasTotpMfa({ userPoolId, username }) {
      const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
      return user.UserMFASettingList?.includes(TOTP_MFA) ?? false;
    },
  };
}

/** Cognito adapters, used by Lambda bundles only (Cognito triggers). */
export { cognitoMfaDirectory } from './cognito-mfa-directory';

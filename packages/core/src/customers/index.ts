export * from './customer.schema';
export * from './customer.keys';
export * from './customer.repository';
export { createCustomer, type CreateCustomerResult } from './create-customer.use-case';
export { getCustomer } from './get-customer.use-case';
export { updateCustomer, applyPatch } from './update-customer.use-case';
export { deleteCustomer, restoreCustomer } from './delete-customer.use-case';
export { listCustomers } from './list-customers.use-case';
export { claimCustomer, releaseCustomer, returnExpiredClaim, claimLeaseKey, DEFAULT_DAILY_CLAIM_QUOTA, DEFAULT_PROTECTION_DAYS } from './claim-customer.use-case';

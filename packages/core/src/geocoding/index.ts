/** Geocoding of customer addresses after their write (change-feed consumer `geocode-customer`). */
export * from './customer-geocoding';
export * from './geocode-customer.use-case';
export { createResilientCall, failureReasonOf, type CallFailureReason, type ResilientCallOptions, type ResilientCall } from '../shared/resilient-call';

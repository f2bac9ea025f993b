export * from './inbound-signatures';
export * from './inbound.use-cases';

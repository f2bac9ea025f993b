export * from './webhook-signature';
export * from './deliverable-url';
export * from './event-patterns';
export * from './retry-schedule';
export * from './webhook.keys';
export * from './webhook-subscriptions.use-cases';
export * from './webhook-deliveries';
export * from './dispatch-webhooks';

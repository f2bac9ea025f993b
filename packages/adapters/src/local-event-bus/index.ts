export * from './local-event-bus';

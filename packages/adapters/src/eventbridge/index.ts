export * from './eventbridge-event-bus';

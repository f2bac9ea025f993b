export * from './sensitive-fields';
export * from './security-settings';
export * from './security-settings.use-cases';

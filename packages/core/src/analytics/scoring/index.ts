export * from './rfm-profile';
export * from './score-rfm.use-case';

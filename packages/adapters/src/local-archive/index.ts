export * from './local-archive-store';

export * from './manifest.types';
export { manifest } from './manifest';
export * from './rate-limits';

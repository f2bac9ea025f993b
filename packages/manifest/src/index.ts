export * from './manifest.types';
export { manifest } from './manifest';

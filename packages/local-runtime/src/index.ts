export { start } from './main';
export * from './local-identity';
export * from './local-config';
export { startLocalServer, type LocalServer } from './local-server';
export { createLocalRuntime, type LocalRuntime } from './local-container';

export * from './config';
export * from './container';
export * from './http-route';
export * from './principal-from-claims';
export * from './problem';

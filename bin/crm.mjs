#!/usr/bin/env node
// `npx crm ...`: runs the TypeScript CLI through tsx's loader (no build step needed).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const cli = fileURLToPath(new URL('../packages/local-runtime/src/main.ts', import.meta.url));
process.argv[1] = cli;
await import(cli);

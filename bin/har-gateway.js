#!/usr/bin/env node
// Entry point of the `har-gateway` command: loads the TypeScript sources through tsx's ESM
// loader (no build step), then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../daemon/cli/main.ts');
process.exitCode = await main(process.argv);

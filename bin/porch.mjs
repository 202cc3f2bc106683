#!/usr/bin/env node
// The `porch` command (`npx porch …`): runs server/cli.ts through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2));

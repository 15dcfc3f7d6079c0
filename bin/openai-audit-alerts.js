#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the command works straight after `npm ci`, with no build.
import { register } from 'tsx/esm/api';

register();
const { hideSdkNodeVersionNotice } = await import('../lib/util/sdk-node-notice.ts');
hideSdkNodeVersionNotice();
const { runCli, processIo } = await import('../lib/tooling/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());

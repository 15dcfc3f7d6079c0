#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the command works straight after `npm ci`, with no build.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start under Node 20 that its 2027 releases need Node 22; the README
// says so once, and the notice would drown the CLI's own output. Every other warning still shows.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) =>
  String(warning).startsWith('NodeVersionSupportWarning') ? undefined : emitWarning(warning, ...rest);

register();
const { runCli, processIo } = await import('../lib/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());

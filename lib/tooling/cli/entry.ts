// The CLI as a process: what bin/openai-audit-alerts.js runs (from its cached bundle, or through
// tsx). Everything else is in main.ts, which tests drive with their own CliIo.
import { hideSdkNodeVersionNotice } from '../../shared/sdk-node-notice.ts';
import { processIo } from './io.ts';
import { runCli } from './main.ts';

hideSdkNodeVersionNotice();
process.exitCode = await runCli(process.argv.slice(2), processIo());

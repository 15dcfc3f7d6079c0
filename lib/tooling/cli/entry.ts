// The CLI as a process: what bin/openai-audit-alerts.js runs (from its cached bundle, or through
// tsx). Everything else is in main.ts, which tests drive with their own CliIo.
import { setFlagsFromString } from 'node:v8';
import { hideSdkNodeVersionNotice } from '../../shared/sdk-node-notice.ts';
import { processIo } from './io.ts';
import { runCli } from './main.ts';

hideSdkNodeVersionNotice();
// evaluate and hunt stream inputs of any size through state that stays bounded but churns: by
// default V8 lets the heap grow to about four times what survives a collection (peak RSS about
// 250 MB on 1,000,000 lines of the shared corpus). At most 2.5 times keeps it near 180 MB for about
// 5% more CPU, within the noise of alternated runs (docs/performance.md). V8 reads the factor at
// each collection, so it applies from here.
setFlagsFromString('--heap-growing-percent=150');
process.exitCode = await runCli(process.argv.slice(2), processIo());

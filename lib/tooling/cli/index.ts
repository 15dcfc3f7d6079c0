export { alertLine, evaluateCommand, printedLine } from './commands/evaluate.ts';
export { policyCommand } from './commands/policy.ts';
export { testCommand } from './commands/test.ts';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
export { EVALUATE_HELP, MAIN_HELP, POLICY_HELP, POLL_HELP, START_HELP, TEST_HELP } from './help.ts';
export { pollCommand, type PollCommandOptions } from './commands/poll.ts';
export { SAMPLE_EVENTS, startCommand, type StartOptions } from './commands/start.ts';
export { processIo, type CliIo } from './io.ts';
export { PROGRAM, runCli } from './main.ts';

import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { describeError } from '../../detection/engine/describe-error.ts';
import { ConfigError } from '../../config/errors.ts';
import { RulesConfigError } from '../../detection/engine/errors.ts';
import { ScopePolicyError } from '../../detection/rules/openai/errors.ts';
import { printable, quote } from '../../util/printable.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { pollCommand } from './commands/poll.ts';
import { policyCommand } from './commands/policy.ts';
import { startCommand } from './commands/start.ts';
import { testCommand } from './commands/test.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { EVALUATE_HELP, MAIN_HELP, POLICY_HELP, POLL_HELP, START_HELP, TEST_HELP } from './help.ts';
import type { CliIo } from './io.ts';

/** The program name, as installed by package.json `bin`. */
export const PROGRAM = 'openai-audit-alerts';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

interface Command {
  readonly help: string;
  readonly options?: OptionSpec;
  run(args: readonly string[], io: CliIo, values: Record<string, string | boolean | undefined>): number | Promise<number>;
}

const noArguments =
  (name: string, run: (io: CliIo) => number | Promise<number>) =>
  (args: readonly string[], io: CliIo): number | Promise<number> => {
    if (args.length > 0) {
      io.stderr(`${name}: takes no arguments; see --help\n`);
      return EXIT_USAGE;
    }
    return run(io);
  };

/** Resolves on Ctrl-C (SIGINT) or SIGTERM, so long-running commands can stop cleanly. */
function interruption(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const COMMANDS: Readonly<Record<string, Command>> = {
  evaluate: { help: EVALUATE_HELP, options: { 'every-match': { type: 'boolean' } }, run: evaluateCommand },
  test: { help: TEST_HELP, run: testCommand },
  policy: { help: POLICY_HELP, run: noArguments('policy', policyCommand) },
  poll: {
    help: POLL_HELP,
    options: { once: { type: 'boolean' }, since: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'max-attempts': { type: 'string' }, organization: { type: 'string' } },
    run: (args, io, values) => noArguments('poll', (cliIo) => pollCommand(values, cliIo))(args, io),
  },
  start: {
    help: START_HELP,
    options: { events: { type: 'string' }, json: { type: 'boolean' }, 'keep-running': { type: 'boolean' }, 'log-level': { type: 'string' }, payloads: { type: 'boolean' } },
    run: (args, io, values) => noArguments('start', (cliIo) => startCommand(values, cliIo, interruption()))(args, io),
  },
};

/** Node's argument parser messages, said plainly: which option, and what is wrong with it. */
function argumentProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const option = /'(-{1,2}[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown option ${printable(option, 80)}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) return `option ${printable(option, 80)} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'}`;
  return error instanceof Error ? printable(error.message) : 'bad arguments';
}

function version(): string {
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
  return pkg.version;
}

/**
 * Runs the command line `argv` (without node and script) and returns the exit status. Never
 * throws: usage and configuration errors are reported on stderr with status 2.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['test', 'rule.yml'], processIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(MAIN_HELP);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h') {
    io.stdout(MAIN_HELP);
    return EXIT_OK;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    io.stdout(topic?.help ?? MAIN_HELP);
    return EXIT_OK;
  }
  if (name === '--version') {
    io.stdout(`${version()}\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`${PROGRAM}: unknown command ${quote(name)}; commands: ${Object.keys(COMMANDS).join(', ')} (see --help)\n`);
    return EXIT_USAGE;
  }
  let positionals: string[];
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help === true) {
      io.stdout(command.help);
      return EXIT_OK;
    }
    positionals = parsed.positionals;
    values = parsed.values;
  } catch (error) {
    io.stderr(`${name}: ${argumentProblem(error)}; see --help\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(positionals, io, values);
  } catch (error) {
    if (error instanceof ScopePolicyError) {
      io.stderr(`${name}: invalid elevated-scope policy: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof RulesConfigError) {
      io.stderr(`${name}: invalid rules configuration: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      io.stderr(`${name}: configuration error: ${printable(error.message, 2000)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`${name}: internal error: ${printable(describeError(error), 1000)}\n`);
    return EXIT_FAILURE;
  }
}

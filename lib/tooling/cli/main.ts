import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { describeError } from '../../shared/describe-error.ts';
import { ConfigError } from '../../shared/config-error.ts';
import { RulesConfigError } from '../../detection/engine/errors.ts';
import { ScopePolicyError } from '../../detection/rules/openai/errors.ts';
import { printable, quote } from '../../shared/printable.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import {
  ALERTS_HELP,
  COVERAGE_HELP,
  EVALUATE_HELP,
  HUNT_HELP,
  MAIN_HELP,
  POLICY_HELP,
  POLL_HELP,
  START_HELP,
  TEST_HELP,
} from './help.ts';
import type { CliIo } from './io.ts';
import { RULES_DIR_ENV } from '../../config/rules-dir.ts';

/** The program name, as installed by package.json `bin`. */
export const PROGRAM = 'openai-audit-alerts';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

type OptionValues = Record<string, string | boolean | undefined>;

interface Command {
  readonly help: string;
  readonly options?: OptionSpec;
  /** Loads the command's module (only the one that runs is loaded) and runs it. */
  run(args: readonly string[], io: CliIo, values: OptionValues): Promise<number>;
}

const noArguments =
  (name: string, run: (io: CliIo) => number | Promise<number>) =>
  async (args: readonly string[], io: CliIo): Promise<number> => {
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

// Each command's module is imported when it runs: evaluate never loads the poller's AWS clients,
// nor test's YAML parser.
const COMMANDS: Readonly<Record<string, Command>> = {
  evaluate: {
    help: EVALUATE_HELP,
    options: {
      'every-match': { type: 'boolean' },
      'max-windows': { type: 'string' },
      'max-correlation-records': { type: 'string' },
      'max-baseline-entries': { type: 'string' },
      rules: { type: 'string' },
    },
    run: async (args, io, values) => (await import('./commands/evaluate.ts')).evaluateCommand(args, io, values),
  },
  test: {
    help: TEST_HELP,
    options: { rules: { type: 'string' }, filter: { type: 'string' } },
    run: async (args, io, values) => (await import('./commands/test.ts')).testCommand(args, io, values),
  },
  policy: {
    help: POLICY_HELP,
    run: noArguments('policy', async (io) => (await import('./commands/policy.ts')).policyCommand(io)),
  },
  coverage: {
    help: COVERAGE_HELP,
    options: { json: { type: 'boolean' } },
    run: (args, io, values) =>
      noArguments('coverage', async (cliIo) => (await import('./commands/coverage.ts')).coverageCommand(values, cliIo))(
        args,
        io,
      ),
  },
  poll: {
    help: POLL_HELP,
    options: {
      once: { type: 'boolean' },
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'max-attempts': { type: 'string' },
      organization: { type: 'string' },
      stream: { type: 'string' },
    },
    run: (args, io, values) =>
      noArguments('poll', async (cliIo) => (await import('./commands/poll.ts')).pollCommand(values, cliIo))(args, io),
  },
  start: {
    help: START_HELP,
    options: {
      events: { type: 'string' },
      json: { type: 'boolean' },
      'keep-running': { type: 'boolean' },
      'log-level': { type: 'string' },
      payloads: { type: 'boolean' },
      rules: { type: 'string' },
      'archive-dir': { type: 'string' },
    },
    run: (args, io, values) =>
      noArguments('start', async (cliIo) =>
        (await import('./commands/start.ts')).startCommand(values, cliIo, interruption()),
      )(args, io),
  },
  hunt: {
    help: HUNT_HELP,
    options: {
      archive: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      org: { type: 'string' },
      rule: { type: 'string' },
      rules: { type: 'string' },
      progress: { type: 'boolean' },
      'max-windows': { type: 'string' },
      'max-correlation-records': { type: 'string' },
      'max-baseline-entries': { type: 'string' },
    },
    run: (args, io, values) =>
      noArguments('hunt', async (cliIo) => (await import('./commands/hunt.ts')).huntCommand(values, cliIo))(args, io),
  },
  alerts: {
    help: ALERTS_HELP,
    options: {
      archive: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      severity: { type: 'string' },
      rule: { type: 'string' },
      json: { type: 'boolean' },
    },
    run: (args, io, values) =>
      noArguments('alerts', async (cliIo) => (await import('./commands/alerts.ts')).alertsCommand(values, cliIo))(
        args,
        io,
      ),
  },
};

/**
 * The command's arguments, read by Node's parser, every problem said in one line of our own
 * (Node's own messages are several sentences and quote the arguments): an unknown option, a
 * value missing, a value given to an option that takes none.
 */
function readArguments(
  args: readonly string[],
  options: OptionSpec,
): { positionals: string[]; values: OptionValues; help: boolean } | { problem: string } {
  const spec = { ...options, help: { type: 'boolean' as const, short: 'h' } };
  const { tokens } = parseArgs({ args: [...args], options: spec, allowPositionals: true, strict: false, tokens: true });
  const positionals: string[] = [];
  const values: OptionValues = {};
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const shown = printable(token.rawName, 80);
    const type = Object.hasOwn(spec, token.name) ? spec[token.name as keyof typeof spec]?.type : undefined;
    if (type === undefined) return { problem: `unknown option ${shown}` };
    if (type === 'boolean') {
      if (token.value !== undefined) return { problem: `option ${shown} takes no value` };
      if (token.name === 'help') help = true;
      else values[token.name] = true;
      continue;
    }
    // A string option takes the next argument, unless that looks like an option (write --x=-v for that).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
      return { problem: `option ${shown} <value> needs a value` };
    values[token.name] = token.value;
  }
  return { positionals, values, help };
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
    io.stderr(
      `${PROGRAM}: unknown command ${quote(name)}; commands: ${Object.keys(COMMANDS).join(', ')} (see --help)\n`,
    );
    return EXIT_USAGE;
  }
  const parsed = readArguments(rest, command.options ?? {});
  if ('problem' in parsed) {
    io.stderr(`${name}: ${parsed.problem}; see --help\n`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.stdout(command.help);
    return EXIT_OK;
  }
  // --rules DIR is RULES_DIR for this run: every command that takes it reads the folder from there.
  const rules = parsed.values.rules;
  const commandIo = typeof rules === 'string' ? { ...io, env: { ...io.env, [RULES_DIR_ENV]: rules } } : io;
  try {
    return await command.run(parsed.positionals, commandIo, parsed.values);
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

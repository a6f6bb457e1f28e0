#!/usr/bin/env node
import 'reflect-metadata';
import { presslineVersion } from '@pressline/config';
import { UsageError } from './args';
import { EXAMPLE_HELP, exampleCommand } from './commands/example';
import { RUN_HELP, runCommand } from './commands/run';
import { SERVE_HELP, serveCommand } from './commands/serve';

interface Command {
  readonly summary: string;
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run the whole line on one release in this process (embedded)', help: RUN_HELP, run: runCommand },
  serve: { summary: 'start the gateway and every stage in one process', help: SERVE_HELP, run: serveCommand },
  example: { summary: 'write an example release synthesised by the project', help: EXAMPLE_HELP, run: exampleCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'pressline — an automated production line for recorded music',
    '',
    'usage: pressline <command> [options]   (pressline <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `version ${presslineVersion()}`,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${presslineVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`pressline: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`pressline ${name}: ${e.message}\n\n${command.help}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // A CLI ends when its command ends, whatever handles a library left open.
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`pressline: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

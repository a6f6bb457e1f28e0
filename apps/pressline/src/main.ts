#!/usr/bin/env node
import { UsageError } from './args';
import { COMMANDS } from './commands/help';

/** Loaded only for help and --version: @pressline/config brings zod, which `analyze` does not need. */
async function version(): Promise<string> {
  const { presslineVersion } = await import('@pressline/config');
  return presslineVersion();
}

async function usage(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'pressline — an automated production line for recorded music',
    '',
    'usage: pressline <command> [options]   (pressline <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `version ${await version()}`,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`pressline: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const command = await entry.load();
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

/**
 * Mastering bench (issue 6), printed as JSON on stdout (progress on stderr):
 *   node bench/analysis/ts-runner.cjs bench/mastering/main.ts [--seconds 30] [--long 600] [--speed 210] [--profiles a,b] [--peer a,b]
 *   MATCHERING_PYTHON=/tmp/venv/bin/python ... adds the Matchering comparison (dev-only peer).
 */
import { parseArgs } from 'node:util';
import { masteringBench } from './mastering-bench';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      long: { type: 'string' },
      speed: { type: 'string' },
      profiles: { type: 'string' },
      peer: { type: 'string' },
      rows: { type: 'boolean', default: false },
    },
  });
  const result = await masteringBench({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    longSeconds: values.long ? Number(values.long) : undefined,
    speedSeconds: values.speed ? Number(values.speed) : undefined,
    profiles: values.profiles?.split(','),
    peerProfiles: values.peer?.split(','),
  });
  if (!values.rows) delete result.rows;
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

void main();

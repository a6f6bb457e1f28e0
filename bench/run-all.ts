/**
 * `npm run bench`: every benchmark of the project, side by side in one run, printed as a table
 * and written as JSON (reports/bench.json). Speed is measured here, never asserted in tests.
 *   node dist/bench/run-all.js [--only NAME[,NAME]] [--json FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeVsFfmpeg } from './analyze-vs-ffmpeg';
import { masteringBench } from './mastering/mastering-bench';
import { pipelineOverhead } from './pipeline-overhead';

interface Bench {
  readonly name: string;
  readonly needsStack: boolean;
  run(): Promise<Record<string, unknown>>;
}

const BENCHES: Bench[] = [
  { name: 'analyze-vs-ffmpeg', needsStack: false, run: () => analyzeVsFfmpeg({ runs: 5, longMinutes: 60 }) },
  { name: 'mastering', needsStack: false, run: () => masteringBench() },
  { name: 'pipeline-overhead', needsStack: true, run: () => pipelineOverhead({ seconds: 20 }) },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, json: { type: 'string', default: 'reports/bench.json' } },
  });
  const only = values.only ? new Set(values.only.split(',')) : null;
  const results: Record<string, unknown> = {
    machine: { node: process.version, cpus: cpus().length, at: new Date().toISOString() },
  };
  for (const bench of BENCHES) {
    if (only && !only.has(bench.name)) continue;
    if (bench.needsStack && !(process.env.KAFKA_BROKERS && process.env.S3_ENDPOINT)) {
      results[bench.name] = { skipped: 'needs the local stack: run scripts/bench.sh' };
      continue;
    }
    process.stderr.write(`bench: ${bench.name}...\n`);
    try {
      results[bench.name] = await bench.run();
    } catch (e) {
      results[bench.name] = { error: (e as Error).message };
    }
    process.stdout.write(`${bench.name}: ${JSON.stringify(results[bench.name], null, 2)}\n`);
  }
  const file = resolve(values.json);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: results in ${file}\n`);
  process.exit(0);
}

void main();

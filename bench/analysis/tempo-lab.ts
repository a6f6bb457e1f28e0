/**
 * Tempo lab: tempo estimators alone over truth TSVs, fast to repeat. The first run decodes every
 * file and caches the analysis-rate mono signal (22.05 kHz, what RhythmAnalyzer's onset stage sees)
 * in a cache folder; later runs only re-run the estimators.
 *
 *   node bench/analysis/ts-runner.cjs bench/analysis/tempo-lab.ts [--cache DIR] [-v] [--excerpt START:SECONDS] TRUTH.tsv...
 *
 * Prints Acc1/Acc2 counts per estimator and split (-v: per file); --excerpt cuts every file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MonoDownsampler,
  OnsetAnalyzer,
  PercivalAnalyzer,
  RhythmAnalyzer,
  estimateTempo,
  percivalTempo,
  type OnsetFeatures,
} from '@pressline/dsp';
import { BENCH_SAMPLE_RATE, decodeForBench } from './decode';
import { tempoAcc1, tempoAcc2 } from './metrics';
import { readTruth, type TruthRow } from './truth';

export const LAB_RATE = 22050;

async function monoAt22k(row: TruthRow, cacheDir: string): Promise<Float32Array> {
  const safe = row.id.replace(/[^A-Za-z0-9_.-]/g, '_');
  const path = join(cacheDir, `${safe}.f32`);
  if (existsSync(path)) {
    const b = readFileSync(path);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  }
  const ds = new MonoDownsampler(BENCH_SAMPLE_RATE, LAB_RATE);
  const parts: Float32Array[] = [];
  let n = 0;
  for await (const block of decodeForBench(row.file)) {
    const y = Float32Array.from(ds.process(block.channels));
    parts.push(y);
    n += y.length;
  }
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  writeFileSync(path, Buffer.from(out.buffer));
  return out;
}

export interface LabInput {
  readonly row: TruthRow;
  readonly mono: Float32Array;
  readonly features: OnsetFeatures;
}

export type Estimator = (x: LabInput) => number;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let cache = '/tmp/tempo-cache';
  const files: string[] = [];
  let verbose = false;
  let excerpt: [number, number] | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cache') cache = argv[++i];
    else if (argv[i] === '-v') verbose = true;
    else if (argv[i] === '--excerpt') {
      const [a, b] = argv[++i].split(':').map(Number);
      excerpt = [a, b];
    } else files.push(argv[i]);
  }
  mkdirSync(cache, { recursive: true });
  // tempogram: the tempogram estimator alone (no fallback, no beat refinement); analyzer: what
  // RhythmAnalyzer reports; percival: the paper's estimator on its own 344.5 Hz OSS; percival86:
  // the same steps 2-3 on the rhythm onset envelope (86 frames/s), which RhythmAnalyzer uses.
  const estimators: Record<string, Estimator> = {
    tempogram: (x) => estimateTempo(x.features).bpm,
    analyzer: (x) => {
      const ra = new RhythmAnalyzer({ sampleRate: LAB_RATE });
      ra.process([x.mono]);
      return ra.result().tempo.bpm;
    },
    percival: (x) => {
      const pa = new PercivalAnalyzer(LAB_RATE);
      pa.process(x.mono);
      return pa.result().bpm;
    },
    percival86: (x) => percivalTempo(x.features.all, x.features.frameRate).bpm,
  };

  for (const f of files) {
    const rows = readTruth(f).filter((r) => r.tempoBpm !== undefined);
    const res: { row: TruthRow; bpm: Record<string, number> }[] = [];
    for (const row of rows) {
      let mono = await monoAt22k(row, cache);
      if (excerpt)
        mono = mono.slice(
          Math.round(excerpt[0] * LAB_RATE),
          Math.round((excerpt[0] + excerpt[1]) * LAB_RATE),
        );
      const oa = new OnsetAnalyzer(LAB_RATE);
      oa.process(mono);
      const input: LabInput = { row, mono, features: oa.features() };
      const bpm: Record<string, number> = {};
      for (const [k, e] of Object.entries(estimators)) bpm[k] = e(input);
      res.push({ row, bpm });
      if (verbose) console.log(row.id, row.tempoBpm, JSON.stringify(bpm));
    }
    for (const split of [undefined, ...new Set(res.map((r) => r.row.split).filter((s) => s))]) {
      const sel = res.filter((r) => split === undefined || r.row.split === split);
      const line = Object.keys(estimators).map((k) => {
        const a1 = sel.filter((r) => tempoAcc1(r.bpm[k], r.row.tempoBpm!)).length;
        const a2 = sel.filter((r) => tempoAcc2(r.bpm[k], r.row.tempoBpm!)).length;
        return `${k} ${a1}/${a2}`;
      });
      console.log(`${f} ${split ?? 'all'} n=${sel.length}: ${line.join('  ')}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

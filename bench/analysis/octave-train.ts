/**
 * Trains the octave scorer of the tempo estimator (TEMPO_OCTAVE_MODEL in
 * libs/dsp/src/rhythm/octave-model.ts) on synthetic sets rendered in memory with training seeds,
 * never on the sets the bench reports (the default seed 2024, and 7 and 11 used as unseen sets).
 *
 *   node bench/analysis/ts-runner.cjs bench/analysis/octave-train.ts [--seeds 101-124] [--cache FILE]
 *        [--members 5] [--hidden 12] [--iterations 400] [--acc2-weight 0] [--evaluate FILE] [--write]
 *
 * Each seed renders the pieces of `syntheticSet({ seed })` (266: the MP3 copies need ffmpeg and
 * are left out; the noise and fade copies are kept), runs RhythmAnalyzer's onset stage on them
 * and keeps, per piece, the feature vector of every tempo candidate (tempoCandidates,
 * octaveFeatures) and whether it is within 4 % of the truth. `--cache FILE` stores these (about
 * 80 s of rendering per seed) so that refits are quick. `--write` writes the model file
 * (prettier-formatted); without it the tool prints the accuracies only. `--evaluate TRUTH.tsv`
 * (repeatable; or a JSON file in the cache's format): the candidate choice of the fitted model on
 * those files (decoded as the bench does), per set, for choosing the settings on material the fit
 * never saw.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as prettier from 'prettier';
import {
  OCTAVE_FEATURE_NAMES,
  RhythmAnalyzer,
  octaveFeatures,
  octaveScore,
  tempoCandidates,
  type OctaveModel,
} from '@pressline/dsp';
import { renderPiece, syntheticSet } from '../../libs/testing/src/synth';
import { BENCH_SAMPLE_RATE, decodeForBench } from './decode';
import { tempoAcc1, tempoAcc2 } from './metrics';
import { OCTAVE_FIT_DEFAULTS, fitOctaveModel, type OctaveFitOptions, type OctavePiece } from './octave-fit';
import { readTruth } from './truth';

interface CachedPiece {
  seed: number;
  id: string;
  ref: number;
  bpm: number[];
  features: number[][];
}

const MODEL_FILE = resolve(__dirname, '../../libs/dsp/src/rhythm/octave-model.ts');

/** "101-112,120" -> [101, ..., 112, 120] */
function seedList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number);
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && hi >= lo))
      throw new Error(`--seeds A-B[,C-D...], got ${text}`);
    for (let s = lo; s <= hi; s++) out.push(s);
  }
  return out;
}

interface Args {
  seeds: number[];
  seedsText: string;
  cache?: string;
  evaluate: string[];
  write: boolean;
  fit: OctaveFitOptions;
}

function parseArgs(argv: string[]): Args {
  let seeds = '101-124';
  let cache: string | undefined;
  const evaluate: string[] = [];
  let write = false;
  const fit = { ...OCTAVE_FIT_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seeds') seeds = next();
    else if (a === '--cache') cache = next();
    else if (a === '--evaluate') evaluate.push(next());
    else if (a === '--write') write = true;
    else if (a === '--hidden') fit.hidden = Number(next());
    else if (a === '--iterations') fit.iterations = Number(next());
    else if (a === '--acc2-weight') fit.acc2Weight = Number(next());
    else if (a === '--l2') fit.l2 = Number(next());
    else if (a === '--members') fit.members = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return { seeds: seedList(seeds), seedsText: seeds, cache, evaluate, write, fit };
}

function candidatesOf(ra: RhythmAnalyzer): { bpm: number[]; features: number[][] } {
  const t = ra.features().tempograms;
  const bpm = tempoCandidates(t);
  return { bpm, features: bpm.map((b) => Array.from(octaveFeatures(t, b))) };
}

/** Pieces of a bench truth TSV (rows with a tempo), labelled with `seed`. */
async function piecesOfTruth(tsv: string, seed: number): Promise<CachedPiece[]> {
  const out: CachedPiece[] = [];
  for (const row of readTruth(tsv)) {
    if (!row.tempoBpm) continue;
    const ra = new RhythmAnalyzer({ sampleRate: BENCH_SAMPLE_RATE });
    for await (const block of decodeForBench(row.file)) ra.process(block.channels);
    out.push({ seed, id: row.id, ref: row.tempoBpm, ...candidatesOf(ra) });
  }
  return out;
}

/** Excerpts per piece, of EXCERPT_SECONDS, so that the model also learns what short clips look like. */
const EXCERPT_SECONDS: readonly [number, number] = [4, 12];

function piecesOfSeed(seed: number): CachedPiece[] {
  const out: CachedPiece[] = [];
  let state = (seed * 2654435761) >>> 0;
  const rnd = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const analyse = (channels: readonly Float32Array[], sampleRate: number): RhythmAnalyzer => {
    const ra = new RhythmAnalyzer({ sampleRate });
    ra.process(channels);
    return ra;
  };
  for (const spec of syntheticSet({ seed })) {
    if (spec.codec) continue;
    const p = renderPiece(spec);
    out.push({ seed, id: spec.id, ref: spec.bpm, ...candidatesOf(analyse(p.channels, p.sampleRate)) });
    // one short excerpt of every piece whose tempo holds (a ramp's excerpt has another tempo)
    const [lo, hi] = EXCERPT_SECONDS;
    const seconds = lo + (hi - lo) * rnd();
    const start = Math.floor(rnd() * (spec.durationSeconds - seconds) * p.sampleRate);
    const end = start + Math.floor(seconds * p.sampleRate);
    if (spec.tempoVariation === 'ramp') continue;
    const excerpt = p.channels.map((c) => c.subarray(start, end));
    out.push({
      seed,
      id: `${spec.id}#excerpt`,
      ref: spec.bpm,
      ...candidatesOf(analyse(excerpt, p.sampleRate)),
    });
  }
  return out;
}

function loadPieces(seeds: number[], cache?: string): CachedPiece[] {
  const cached: CachedPiece[] =
    cache && existsSync(cache) ? (JSON.parse(readFileSync(cache, 'utf8')) as CachedPiece[]) : [];
  const stale = cached.find((p) => p.features.some((x) => x.length !== OCTAVE_FEATURE_NAMES.length));
  if (stale) throw new Error(`${cache} holds features of another OCTAVE_FEATURE_NAMES: delete it`);
  const have = new Set(cached.map((p) => p.seed));
  for (const seed of seeds) {
    if (have.has(seed)) continue;
    const t0 = Date.now();
    cached.push(...piecesOfSeed(seed));
    console.error(`seed ${seed}: rendered and analysed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (cache) writeFileSync(cache, JSON.stringify(cached));
  }
  return cached.filter((p) => seeds.includes(p.seed));
}

function accuracy(model: OctaveModel, pieces: CachedPiece[]): { acc1: number; acc2: number } {
  let a1 = 0;
  let a2 = 0;
  for (const p of pieces) {
    let best = -1;
    let bestScore = -Infinity;
    p.features.forEach((x, i) => {
      const s = octaveScore(model, Float64Array.from(x));
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    });
    if (best >= 0 && tempoAcc1(p.bpm[best], p.ref)) a1++;
    if (best >= 0 && tempoAcc2(p.bpm[best], p.ref)) a2++;
  }
  return { acc1: a1 / pieces.length, acc2: a2 / pieces.length };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cached = loadPieces(args.seeds, args.cache);
  const pieces: OctavePiece[] = cached.map((p) => ({
    features: p.features.map((x) => Float64Array.from(x)),
    correct: p.bpm.map((b) => tempoAcc1(b, p.ref)),
    related: p.bpm.map((b) => tempoAcc2(b, p.ref)),
  }));
  const f = args.fit;
  const provenance =
    `syntheticSet seeds ${args.seedsText} (${cached.length} analyses: the pieces, MP3 copies left out, and a 4-12 s excerpt of each piece without a tempo ramp), ` +
    `${f.members} x ${f.hidden} hidden units, ${f.iterations} iterations, l2 ${f.l2}, acc2 weight ${f.acc2Weight}`;
  const model = fitOctaveModel(pieces, OCTAVE_FEATURE_NAMES, f, provenance, (member, it, loss) => {
    if (it % 100 === 0) console.error(`network ${member + 1}, iteration ${it}: loss ${loss.toFixed(4)}`);
  });
  const acc = accuracy(model, cached);
  const summary = `${provenance}; training Acc1 ${acc.acc1.toFixed(3)}, Acc2 ${acc.acc2.toFixed(3)}`;
  console.log(summary);
  for (const [i, file] of args.evaluate.entries()) {
    const other: CachedPiece[] = file.endsWith('.json')
      ? (JSON.parse(readFileSync(file, 'utf8')) as CachedPiece[])
      : await piecesOfTruth(file, -1 - i);
    for (const seed of [...new Set(other.map((p) => p.seed))]) {
      const set = other.filter((p) => p.seed === seed);
      const a = accuracy(model, set);
      const name = seed < 0 ? file : `${file} seed ${seed}`;
      console.log(
        `evaluate ${name}: Acc1 ${a.acc1.toFixed(3)}, Acc2 ${a.acc2.toFixed(3)} (${set.length} pieces)`,
      );
    }
  }
  if (!args.write) return;
  const final = { ...model, trainedOn: summary };
  const text =
    `import type { OctaveModel } from './octave';\n\n` +
    `/** Generated by bench/analysis/octave-train.ts (--write): do not edit by hand. */\n` +
    `export const TEMPO_OCTAVE_MODEL: OctaveModel = ${JSON.stringify(final)};\n`;
  const config = (await prettier.resolveConfig(MODEL_FILE)) ?? {};
  writeFileSync(MODEL_FILE, await prettier.format(text, { ...config, filepath: MODEL_FILE }));
  console.log(`wrote ${MODEL_FILE}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

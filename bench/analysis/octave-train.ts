/**
 * Trains the octave scorer of the tempo estimator (TEMPO_OCTAVE_MODEL in
 * libs/dsp/src/rhythm/octave-model.ts) on synthetic sets rendered in memory with training seeds,
 * never on the sets the bench reports (the default seed 2024, and 7 and 11 used as unseen sets).
 *
 *   node bench/analysis/ts-runner.cjs bench/analysis/octave-train.ts [--seeds 101-136,141-164] [--cache DIR]
 *        [--members 3] [--hidden 12] [--iterations 400] [--acc2-weight 0] [--evaluate TRUTH.tsv]
 *        [--solo] [--write | --render-only]
 *
 * Each seed renders the pieces of `syntheticSet({ seed })` (266: the MP3 copies need ffmpeg and
 * are left out; the noise and fade copies are kept) and a 4-12 s excerpt of each, runs
 * RhythmAnalyzer's onset stage on them, and computes per analysis the feature vector of every
 * tempo candidate (tempoCandidates, octaveFeatures) and whether it is within 4 % of the truth.
 * `--cache DIR` keeps the onset envelopes of every analysis, one file pair per seed and set version
 * (`v4-seed-101` for seed 101 of SYNTH_SET_VERSION 4; about 100 s of rendering per seed, 35 MB):
 * refits, and refits with other features, need no rendering, and several processes may render
 * disjoint seeds into one folder at once (`--render-only`). `--write`
 * writes the model file (prettier-formatted); without it the tool prints the accuracies only.
 * `--solo` adds a 4-12 s render of one part alone (lead, bass, keys or pluck) of every piece.
 * Run compiled (`node dist/bench/analysis/octave-train.js`), the member networks are fitted in
 * worker threads side by side (same model as one after the other).
 * `--evaluate TRUTH.tsv` (repeatable): the candidate choice of the fitted model on those files
 * (decoded as the bench does, envelopes cached as well), per set, for choosing the settings on
 * material the fit never saw.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as prettier from 'prettier';
import {
  OCTAVE_FEATURE_NAMES,
  RhythmAnalyzer,
  bandTempogramsOf,
  octaveFeatures,
  octaveScore,
  tempoCandidates,
  type OctaveModel,
} from '@pressline/dsp';
import {
  Prng,
  SYNTH_SET_VERSION,
  hashSeed,
  renderPiece,
  syntheticSet,
  type SoloPart,
} from '../../libs/testing/src/synth';
import { BENCH_SAMPLE_RATE, decodeForBench } from './decode';
import { tempoAcc1, tempoAcc2 } from './metrics';
import { OCTAVE_FIT_DEFAULTS, type OctaveFitOptions, type OctavePiece } from './octave-fit';
import { fitOctaveModelInWorkers } from './octave-fit-workers';
import { readTruth } from './truth';

/** One analysis: its truth and the candidates' features (computed from the cached envelopes). */
interface CachedPiece {
  seed: number;
  id: string;
  ref: number;
  bpm: number[];
  features: number[][];
}

/** The onset envelopes of one analysis, which is all the octave features are computed from. */
interface Envelopes {
  seed: number;
  id: string;
  ref: number;
  frameRate: number;
  all: Float32Array;
  low: Float32Array;
  mid: Float32Array;
  high: Float32Array;
  /** 12 pitch classes per row, a row every `bandDecimation` frames (MetreFeatures.chroma). */
  chroma: Float32Array;
  bandDecimation: number;
}

/** The repository: two folders up from this file, three when it runs compiled from dist/. */
const ROOT = resolve(__dirname, basename(resolve(__dirname, '../..')) === 'dist' ? '../../..' : '../..');
const MODEL_FILE = join(ROOT, 'libs/dsp/src/rhythm/octave-model.ts');

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
  renderOnly: boolean;
  solo: boolean;
  fit: OctaveFitOptions;
}

function parseArgs(argv: string[]): Args {
  let seeds = '101-136,141-164';
  let cache: string | undefined;
  const evaluate: string[] = [];
  let write = false;
  let renderOnly = false;
  let solo = false;
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
    else if (a === '--render-only') renderOnly = true;
    else if (a === '--solo') solo = true;
    else if (a === '--hidden') fit.hidden = Number(next());
    else if (a === '--iterations') fit.iterations = Number(next());
    else if (a === '--acc2-weight') fit.acc2Weight = Number(next());
    else if (a === '--l2') fit.l2 = Number(next());
    else if (a === '--members') fit.members = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  if (write && renderOnly) throw new Error('--write and --render-only exclude each other');
  return { seeds: seedList(seeds), seedsText: seeds, cache, evaluate, write, renderOnly, solo, fit };
}

function envelopesOf(ra: RhythmAnalyzer, seed: number, id: string, ref: number): Envelopes {
  const f = ra.features();
  if (f.low.length !== f.all.length)
    throw new Error(`${id}: longer than METRE_FEATURE_SECONDS, the band envelopes are not all kept`);
  return {
    seed,
    id,
    ref,
    frameRate: f.frameRate,
    all: f.all,
    low: f.low,
    mid: f.mid,
    high: f.high,
    chroma: f.chroma,
    bandDecimation: f.bandDecimation,
  };
}

/** The tempo candidates of an analysis and their feature vectors, as estimateTempo sees them. */
function candidatesOf(e: Envelopes): CachedPiece {
  const t = bandTempogramsOf(e.frameRate, e.all, e.low, e.mid, e.high, e.chroma, e.bandDecimation);
  const bpm = tempoCandidates(t);
  return {
    seed: e.seed,
    id: e.id,
    ref: e.ref,
    bpm,
    features: bpm.map((b) => Array.from(octaveFeatures(t, b))),
  };
}

/** Pieces of a bench truth TSV (rows with a tempo), labelled with `seed`. */
async function envelopesOfTruth(tsv: string, seed: number): Promise<Envelopes[]> {
  const out: Envelopes[] = [];
  for (const row of readTruth(tsv)) {
    if (!row.tempoBpm) continue;
    const ra = new RhythmAnalyzer({ sampleRate: BENCH_SAMPLE_RATE });
    for await (const block of decodeForBench(row.file)) ra.process(block.channels);
    out.push(envelopesOf(ra, seed, row.id, row.tempoBpm));
  }
  return out;
}

/** RhythmAnalyzer's onset stage run over rendered channels. */
function analysed(channels: readonly Float32Array[], sampleRate: number): RhythmAnalyzer {
  const ra = new RhythmAnalyzer({ sampleRate });
  ra.process(channels);
  return ra;
}

/** Excerpts per piece, of EXCERPT_SECONDS, so that the model also learns what short clips look like. */
const EXCERPT_SECONDS: readonly [number, number] = [4, 12];

function envelopesOfSeed(seed: number): Envelopes[] {
  const out: Envelopes[] = [];
  let state = (seed * 2654435761) >>> 0;
  const rnd = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (const spec of syntheticSet({ seed })) {
    if (spec.codec) continue;
    const p = renderPiece(spec);
    out.push(envelopesOf(analysed(p.channels, p.sampleRate), seed, spec.id, spec.bpm));
    // one short excerpt of every piece whose tempo holds (a ramp's excerpt has another tempo)
    const [lo, hi] = EXCERPT_SECONDS;
    const seconds = lo + (hi - lo) * rnd();
    const start = Math.floor(rnd() * (spec.durationSeconds - seconds) * p.sampleRate);
    const end = start + Math.floor(seconds * p.sampleRate);
    if (spec.tempoVariation === 'ramp') continue;
    const excerpt = p.channels.map((c) => c.subarray(start, end));
    out.push(envelopesOf(analysed(excerpt, p.sampleRate), seed, `${spec.id}#excerpt`, spec.bpm));
  }
  return out;
}

/**
 * The cache: per seed (or evaluated truth file) one `NAME.json` index and one `NAME.f32` with the
 * four envelopes and the chroma of every analysis one after the other. The envelopes do not depend on the octave
 * features, so a change of features needs no new rendering (the renders are what take time).
 */
interface CacheIndex {
  frameRate: number;
  bandDecimation: number;
  pieces: { seed: number; id: string; ref: number; frames: number; chroma: number }[];
}

function writeEnvelopes(dir: string, name: string, list: Envelopes[]): void {
  mkdirSync(dir, { recursive: true });
  const total = list.reduce((a, e) => a + 4 * e.all.length + e.chroma.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const e of list)
    for (const x of [e.all, e.low, e.mid, e.high, e.chroma]) {
      data.set(x, at);
      at += x.length;
    }
  const index: CacheIndex = {
    frameRate: list[0]?.frameRate ?? 0,
    bandDecimation: list[0]?.bandDecimation ?? 1,
    pieces: list.map((e) => ({
      seed: e.seed,
      id: e.id,
      ref: e.ref,
      frames: e.all.length,
      chroma: e.chroma.length,
    })),
  };
  writeFileSync(join(dir, `${name}.f32`), new Uint8Array(data.buffer));
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(index)); // last: its presence means complete
}

function readEnvelopes(dir: string, name: string): Envelopes[] | null {
  const indexFile = join(dir, `${name}.json`);
  if (!existsSync(indexFile)) return null;
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as CacheIndex;
  const bytes = readFileSync(join(dir, `${name}.f32`));
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  let at = 0;
  const take = (n: number): Float32Array => data.subarray(at, (at += n));
  return index.pieces.map((p) => ({
    seed: p.seed,
    id: p.id,
    ref: p.ref,
    frameRate: index.frameRate,
    all: take(p.frames),
    low: take(p.frames),
    mid: take(p.frames),
    high: take(p.frames),
    chroma: take(p.chroma),
    bandDecimation: index.bandDecimation,
  }));
}

async function cached(
  dir: string | undefined,
  name: string,
  make: () => Envelopes[] | Promise<Envelopes[]>,
): Promise<Envelopes[]> {
  const have = dir ? readEnvelopes(dir, name) : null;
  if (have) return have;
  const t0 = Date.now();
  const list = await make();
  console.error(`${name}: rendered and analysed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (dir) writeEnvelopes(dir, name, list);
  return list;
}

/** Stems rendered alone for SOLO_SECONDS, the lead most often (a solo instrument, a vocal-like line). */
const SOLO_SECONDS: readonly [number, number] = [4, 12];
const SOLO_PARTS: readonly (readonly [SoloPart, number])[] = [
  ['lead', 0.5],
  ['bass', 0.2],
  ['keys', 0.15],
  ['pluck', 0.15],
];

/**
 * One short solo render of every piece without a tempo ramp: a single part, no drums, as the
 * analysis sees a stem or a solo recording, which the full mixes and their excerpts never show.
 */
function soloEnvelopesOfSeed(seed: number): Envelopes[] {
  const out: Envelopes[] = [];
  const rng = new Prng(hashSeed(`solo-${seed}`));
  const weights = SOLO_PARTS.map(([, w]) => w);
  for (const spec of syntheticSet({ seed })) {
    if (spec.codec || spec.tempoVariation === 'ramp') continue;
    const part = SOLO_PARTS[rng.weighted(weights)][0];
    const p = renderPiece({ ...spec, solo: part, durationSeconds: rng.range(...SOLO_SECONDS) });
    out.push(envelopesOf(analysed(p.channels, p.sampleRate), seed, `${spec.id}#solo-${part}`, spec.bpm));
  }
  return out;
}

async function loadPieces(seeds: number[], solo: boolean, dir?: string): Promise<CachedPiece[]> {
  const out: CachedPiece[] = [];
  for (const seed of seeds) {
    for (const e of await cached(dir, `v${SYNTH_SET_VERSION}-seed-${seed}`, () => envelopesOfSeed(seed)))
      out.push(candidatesOf(e));
    if (!solo) continue;
    for (const e of await cached(dir, `v${SYNTH_SET_VERSION}-solo-${seed}`, () => soloEnvelopesOfSeed(seed)))
      out.push(candidatesOf(e));
  }
  return out;
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
  const training = await loadPieces(args.seeds, args.solo, args.cache);
  if (args.renderOnly) return;
  const pieces: OctavePiece[] = training.map((p) => ({
    features: p.features.map((x) => Float64Array.from(x)),
    correct: p.bpm.map((b) => tempoAcc1(b, p.ref)),
    related: p.bpm.map((b) => tempoAcc2(b, p.ref)),
  }));
  const f = args.fit;
  const provenance =
    `syntheticSet version ${SYNTH_SET_VERSION} seeds ${args.seedsText} (${training.length} analyses: the pieces, MP3 copies left out, and of each piece without a tempo ramp a 4-12 s excerpt${args.solo ? ' and a 4-12 s solo render of one part' : ''}), ` +
    `${f.members} x ${f.hidden} hidden units, ${f.iterations} iterations, l2 ${f.l2}, acc2 weight ${f.acc2Weight}`;
  const model = await fitOctaveModelInWorkers(
    pieces,
    OCTAVE_FEATURE_NAMES,
    f,
    provenance,
    (member, it, loss) => {
      if (it % 100 === 0) console.error(`network ${member + 1}, iteration ${it}: loss ${loss.toFixed(4)}`);
    },
  );
  const acc = accuracy(model, training);
  const summary = `${provenance}; training Acc1 ${acc.acc1.toFixed(3)}, Acc2 ${acc.acc2.toFixed(3)}`;
  console.log(summary);
  for (const [i, file] of args.evaluate.entries()) {
    const cacheName = `truth-${hashSeed(resolve(file)).toString(36)}`;
    const other = (await cached(args.cache, cacheName, () => envelopesOfTruth(file, -1 - i))).map(
      candidatesOf,
    );
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

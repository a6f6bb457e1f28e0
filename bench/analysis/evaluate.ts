/** Runs the analysers (and the optional peer) over truth rows and aggregates the measures. */
import { KeyAnalyzer, RhythmAnalyzer, type KeyRelation } from '@pressline/dsp';
import { BENCH_SAMPLE_RATE, decodeForBench } from './decode';
import { beatFMeasure, keyOutcome, tempoAcc1, tempoAcc2 } from './metrics';
import type { EssentiaPeer } from './peer-essentia';
import { readBeats, type TruthRow } from './truth';

export interface FileResult {
  readonly id: string;
  readonly split?: string;
  readonly durationSeconds: number;
  readonly analysisSeconds: number;
  readonly truth: { tempoBpm?: number; key?: string; beatsPerBar?: number; tuningHz?: number };
  readonly tempoBpm: number;
  readonly tempoConfidence: number;
  readonly steady: boolean;
  readonly key: string;
  readonly keyConfidence: number;
  readonly tuningHz: number;
  readonly beatsPerBar: number;
  readonly timeSignature: string;
  readonly acc1?: boolean;
  readonly acc2?: boolean;
  readonly keyRelation?: KeyRelation;
  readonly keyWeight?: number;
  readonly beatF?: number;
  readonly downbeatF?: number;
  readonly peer?: {
    readonly key?: string;
    readonly keyRelation?: KeyRelation;
    readonly keyWeight?: number;
    readonly percivalBpm?: number;
    readonly percivalAcc1?: boolean;
    readonly percivalAcc2?: boolean;
    readonly rhythm2013Bpm?: number;
    readonly rhythm2013Acc1?: boolean;
    readonly rhythm2013Acc2?: boolean;
    readonly rhythm2013BeatF?: number;
    readonly keySeconds: number;
    readonly percivalSeconds: number;
    readonly rhythm2013Seconds: number;
  };
}

export interface EvaluateOptions {
  readonly bpmRange?: readonly [number, number];
  readonly peer?: EssentiaPeer | null;
  readonly peerRhythm2013?: boolean;
  readonly onFile?: (r: FileResult) => void;
}

export async function evaluateRows(
  rows: readonly TruthRow[],
  options: EvaluateOptions = {},
): Promise<FileResult[]> {
  const out: FileResult[] = [];
  for (const row of rows) {
    const r = await evaluateFile(row, options);
    out.push(r);
    options.onFile?.(r);
  }
  return out;
}

async function evaluateFile(row: TruthRow, options: EvaluateOptions): Promise<FileResult> {
  const rhythm = new RhythmAnalyzer({ sampleRate: BENCH_SAMPLE_RATE, bpmRange: options.bpmRange });
  const keys = new KeyAnalyzer({ sampleRate: BENCH_SAMPLE_RATE });
  let analysis = 0;
  let frames = 0;
  const monoParts: Float32Array[] = [];
  const peer = options.peer ?? null;
  for await (const block of decodeForBench(row.file)) {
    const t = performance.now();
    rhythm.process(block.channels);
    keys.process(block.channels);
    analysis += performance.now() - t;
    frames += block.frames;
    if (peer) {
      const [l, r] = block.channels;
      const m = new Float32Array(block.frames);
      for (let i = 0; i < m.length; i++) m[i] = 0.5 * (l[i] + r[i]);
      monoParts.push(m);
    }
  }
  const t = performance.now();
  const rr = rhythm.result();
  const kr = keys.result();
  analysis += performance.now() - t;
  const truthBeats = row.beatsFile ? readBeats(row.beatsFile) : undefined;
  const keyEval = row.key ? keyOutcome(kr.key.label, row.key) : null;
  let peerResult: FileResult['peer'];
  if (peer) {
    const mono = new Float32Array(frames);
    let o = 0;
    for (const p of monoParts) {
      mono.set(p, o);
      o += p.length;
    }
    const p = peer.analyse(mono, options.peerRhythm2013 === true);
    const pk = row.key && p.key ? keyOutcome(p.key, row.key) : null;
    const ref = row.tempoBpm;
    peerResult = {
      key: p.key,
      keyRelation: pk?.relation,
      keyWeight: pk?.weight,
      percivalBpm: p.percivalBpm,
      percivalAcc1:
        ref !== undefined && p.percivalBpm !== undefined ? tempoAcc1(p.percivalBpm, ref) : undefined,
      percivalAcc2:
        ref !== undefined && p.percivalBpm !== undefined ? tempoAcc2(p.percivalBpm, ref) : undefined,
      rhythm2013Bpm: p.rhythm2013Bpm,
      rhythm2013Acc1:
        ref !== undefined && p.rhythm2013Bpm !== undefined ? tempoAcc1(p.rhythm2013Bpm, ref) : undefined,
      rhythm2013Acc2:
        ref !== undefined && p.rhythm2013Bpm !== undefined ? tempoAcc2(p.rhythm2013Bpm, ref) : undefined,
      rhythm2013BeatF: truthBeats && p.beats ? beatFMeasure(p.beats, truthBeats.beats) : undefined,
      keySeconds: p.keySeconds,
      percivalSeconds: p.percivalSeconds,
      rhythm2013Seconds: p.rhythm2013Seconds,
    };
  }
  return {
    id: row.id,
    split: row.split,
    durationSeconds: frames / BENCH_SAMPLE_RATE,
    analysisSeconds: analysis / 1000,
    truth: { tempoBpm: row.tempoBpm, key: row.key, beatsPerBar: row.beatsPerBar, tuningHz: row.tuningHz },
    tempoBpm: rr.tempo.bpm,
    tempoConfidence: rr.tempo.confidence,
    steady: rr.tempo.steady,
    key: kr.key.label,
    keyConfidence: kr.key.confidence,
    tuningHz: kr.tuningHz,
    beatsPerBar: rr.beatsPerBar,
    timeSignature: rr.timeSignature,
    acc1: row.tempoBpm !== undefined ? tempoAcc1(rr.tempo.bpm, row.tempoBpm) : undefined,
    acc2: row.tempoBpm !== undefined ? tempoAcc2(rr.tempo.bpm, row.tempoBpm) : undefined,
    keyRelation: keyEval?.relation,
    keyWeight: keyEval?.weight,
    beatF: truthBeats ? beatFMeasure(rr.beats, truthBeats.beats) : undefined,
    downbeatF:
      truthBeats && truthBeats.downbeats.length
        ? beatFMeasure(rr.downbeats, truthBeats.downbeats)
        : undefined,
    peer: peerResult,
  };
}

export interface Totals {
  readonly files: number;
  readonly audioSeconds: number;
  readonly analysisSeconds: number;
  readonly realtimeFactor: number;
  readonly tempo: { n: number; acc1: number; acc2: number };
  readonly key: {
    n: number;
    weighted: number;
    same: number;
    fifth: number;
    relative: number;
    parallel: number;
    other: number;
  };
  readonly beats: { n: number; fMeasure: number; downbeatF: number };
  readonly metre: { n: number; accuracy: number };
  readonly tuning: { n: number; meanAbsErrorHz: number; within1Hz: number };
  readonly peer?: {
    readonly tempoPercival: { n: number; acc1: number; acc2: number };
    readonly tempoRhythm2013: { n: number; acc1: number; acc2: number; beatF: number };
    readonly key: {
      n: number;
      weighted: number;
      same: number;
      fifth: number;
      relative: number;
      parallel: number;
      other: number;
    };
    readonly keyRealtimeFactor: number;
    readonly percivalRealtimeFactor: number;
    readonly rhythm2013RealtimeFactor: number;
  };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const frac = (xs: (boolean | undefined)[]): number =>
  mean(xs.filter((x): x is boolean => x !== undefined).map((x) => (x ? 1 : 0)));

function keyTotals(rel: (KeyRelation | undefined)[], w: (number | undefined)[]): Totals['key'] {
  const r = rel.filter((x): x is KeyRelation => x !== undefined);
  const share = (k: KeyRelation): number => (r.length ? r.filter((x) => x === k).length / r.length : 0);
  return {
    n: r.length,
    weighted: mean(w.filter((x): x is number => x !== undefined)),
    same: share('same'),
    fifth: share('fifth'),
    relative: share('relative'),
    parallel: share('parallel'),
    other: share('other'),
  };
}

export function totals(results: readonly FileResult[]): Totals {
  const audio = results.reduce((a, r) => a + r.durationSeconds, 0);
  const analysis = results.reduce((a, r) => a + r.analysisSeconds, 0);
  const withTempo = results.filter((r) => r.acc1 !== undefined);
  const withBeats = results.filter((r) => r.beatF !== undefined);
  const withBpb = results.filter((r) => r.truth.beatsPerBar !== undefined);
  const withTuning = results.filter((r) => r.truth.tuningHz !== undefined);
  const out: Totals = {
    files: results.length,
    audioSeconds: audio,
    analysisSeconds: analysis,
    realtimeFactor: analysis > 0 ? audio / analysis : 0,
    tempo: {
      n: withTempo.length,
      acc1: frac(withTempo.map((r) => r.acc1)),
      acc2: frac(withTempo.map((r) => r.acc2)),
    },
    key: keyTotals(
      results.map((r) => r.keyRelation),
      results.map((r) => r.keyWeight),
    ),
    beats: {
      n: withBeats.length,
      fMeasure: mean(withBeats.map((r) => r.beatF ?? 0)),
      downbeatF: mean(withBeats.filter((r) => r.downbeatF !== undefined).map((r) => r.downbeatF ?? 0)),
    },
    metre: { n: withBpb.length, accuracy: frac(withBpb.map((r) => r.beatsPerBar === r.truth.beatsPerBar)) },
    tuning: {
      n: withTuning.length,
      meanAbsErrorHz: mean(withTuning.map((r) => Math.abs(r.tuningHz - (r.truth.tuningHz ?? 0)))),
      within1Hz: frac(withTuning.map((r) => Math.abs(r.tuningHz - (r.truth.tuningHz ?? 0)) <= 1)),
    },
  };
  const peered = results.filter((r) => r.peer);
  if (peered.length === 0) return out;
  const p = peered.map((r) => r.peer!);
  const withT = peered.filter((r) => r.truth.tempoBpm !== undefined);
  const r13 = withT.filter((r) => r.peer?.rhythm2013Bpm !== undefined);
  const sum = (f: (x: NonNullable<FileResult['peer']>) => number): number => p.reduce((a, x) => a + f(x), 0);
  const peerAudio = peered.reduce((a, r) => a + r.durationSeconds, 0);
  return {
    ...out,
    peer: {
      tempoPercival: {
        n: withT.length,
        acc1: frac(withT.map((r) => r.peer?.percivalAcc1)),
        acc2: frac(withT.map((r) => r.peer?.percivalAcc2)),
      },
      tempoRhythm2013: {
        n: r13.length,
        acc1: frac(r13.map((r) => r.peer?.rhythm2013Acc1)),
        acc2: frac(r13.map((r) => r.peer?.rhythm2013Acc2)),
        beatF: mean(
          r13.filter((r) => r.peer?.rhythm2013BeatF !== undefined).map((r) => r.peer?.rhythm2013BeatF ?? 0),
        ),
      },
      key: keyTotals(
        p.map((x) => x.keyRelation),
        p.map((x) => x.keyWeight),
      ),
      keyRealtimeFactor:
        peerAudio /
        Math.max(
          1e-9,
          sum((x) => x.keySeconds),
        ),
      percivalRealtimeFactor:
        peerAudio /
        Math.max(
          1e-9,
          sum((x) => x.percivalSeconds),
        ),
      rhythm2013RealtimeFactor: r13.length
        ? peerAudio /
          Math.max(
            1e-9,
            sum((x) => x.rhythm2013Seconds),
          )
        : 0,
    },
  };
}

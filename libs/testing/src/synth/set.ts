/**
 * The synthetic evaluation set: a deterministic list of piece specs spread over all 24 keys,
 * 50-200 BPM, several grooves, 4/4, 3/4 and 6/8, with and without drums, detuned references and
 * degraded copies. About a third of the pieces is marked 'holdout' (by a hash of the id, not by
 * any musical property) and must not be looked at while tuning estimators.
 */
import { Prng, hashSeed } from './prng';
import type { DrumStyle, PieceSpec, TempoVariation, TimeSignature } from './render';
import { PROGRESSIONS, TONIC_NAMES, type Mode } from './theory';

export interface SyntheticSetOptions {
  /** Number of base pieces (each key gets count / 24); default 240. */
  readonly count?: number;
  /** Seconds per piece; default 30. */
  readonly durationSeconds?: number;
  /** Add degraded copies (noise, fades, MP3 marker) of every sixth piece; default true. */
  readonly degraded?: boolean;
  /** Master seed; default 2024. */
  readonly seed?: number;
}

/** The bench encodes pieces carrying this marker through ffmpeg before analysis. */
export interface SyntheticPieceSpec extends PieceSpec {
  readonly codec?: 'mp3-128k';
}

/**
 * Version of what the set renders. Bump it whenever a change to the specs or to the renderer
 * changes any piece's audio: rendered folders and feature caches carry it in their names.
 * 4: a drum hit placed before the first sample read outside the noise table and made the whole
 *    piece NaN (written as a second of sound and then silence; seed 12's syn134), see `noiseOffset`;
 * 3: drumless pieces whose bass sounds once a bar under a held pad get comping keys (render.ts,
 *    `needsComping`); 2: genre tempo distributions (below); 1: log-uniform tempos.
 */
export const SYNTH_SET_VERSION = 4;

interface StyleRange {
  readonly drums: DrumStyle | null;
  readonly ts: TimeSignature;
  /** Hard limits of the notated tempo. */
  readonly bpm: readonly [number, number];
  /** Typical tempo of the genres that play this groove, and the spread around it in octaves. */
  readonly medianBpm: number;
  readonly octaves: number;
  readonly weight: number;
}

/**
 * Tempo distributions follow the genres each groove is played in: log-normal around a typical
 * tempo, truncated to the range (since set version 2; version 1 drew log-uniformly over the range, which
 * put a third of the backbeat pieces below 90 BPM, far more than annotated collections hold, e.g.
 * the tempo histograms of Ballroom, GTZAN and GiantSteps cluster around 90-140 BPM). House and
 * techno sit near 124, pop and rock near 110, half-time grooves (trap, dubstep, half-time drum
 * and bass) are notated at their DAW tempo 130-175, 6/8 pieces at the dotted quarter.
 */
const STYLES: readonly StyleRange[] = [
  { drums: 'four-on-the-floor', ts: '4/4', bpm: [95, 175], medianBpm: 124, octaves: 0.15, weight: 15 },
  { drums: 'backbeat', ts: '4/4', bpm: [62, 185], medianBpm: 110, octaves: 0.3, weight: 20 },
  { drums: 'swung', ts: '4/4', bpm: [80, 200], medianBpm: 125, octaves: 0.35, weight: 10 },
  { drums: 'half-time', ts: '4/4', bpm: [125, 175], medianBpm: 145, octaves: 0.15, weight: 8 },
  { drums: 'breakbeat', ts: '4/4', bpm: [85, 180], medianBpm: 110, octaves: 0.35, weight: 12 },
  { drums: 'waltz', ts: '3/4', bpm: [85, 200], medianBpm: 125, octaves: 0.4, weight: 7 },
  { drums: 'compound', ts: '6/8', bpm: [52, 95], medianBpm: 66, octaves: 0.25, weight: 6 },
  { drums: null, ts: '4/4', bpm: [60, 200], medianBpm: 100, octaves: 0.4, weight: 14 },
  { drums: null, ts: '3/4', bpm: [70, 190], medianBpm: 110, octaves: 0.4, weight: 4 },
  { drums: null, ts: '6/8', bpm: [50, 90], medianBpm: 64, octaves: 0.25, weight: 4 },
];

/** Log-normal tempo truncated to the style's range (rejection sampling, bounded). */
function drawTempo(rng: Prng, s: StyleRange): number {
  for (let i = 0; i < 100; i++) {
    const bpm = s.medianBpm * Math.pow(2, s.octaves * rng.gauss());
    if (bpm >= s.bpm[0] && bpm <= s.bpm[1]) return bpm;
  }
  return s.medianBpm;
}

export function syntheticSet(options: SyntheticSetOptions = {}): SyntheticPieceSpec[] {
  const count = options.count ?? 240;
  const duration = options.durationSeconds ?? 30;
  const rng = new Prng(options.seed ?? 2024);
  const weights = STYLES.map((s) => s.weight);
  const out: SyntheticPieceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const keyIndex = i % 24;
    const tonic = (keyIndex * 7) % 12; // walk the circle of fifths so neighbours differ
    const mode: Mode = keyIndex < 12 ? (i % 2 === 0 ? 'major' : 'minor') : i % 2 === 0 ? 'minor' : 'major';
    const style = STYLES[rng.weighted(weights)];
    const bpm = Math.round(drawTempo(rng, style) * 10) / 10;
    const progs = PROGRESSIONS.filter((p) => p.mode === mode);
    const progression = progs[rng.int(0, progs.length - 1)].name;
    const tuningHz = rng.chance(0.3) ? Math.round(rng.range(432, 446) * 10) / 10 : 440;
    const tv = rng.weighted([85, 10, 5]);
    const tempoVariation: TempoVariation = tv === 0 ? 'steady' : tv === 1 ? 'drift' : 'ramp';
    const styleName = style.drums ?? `nodrums-${style.ts.replace('/', '')}`;
    const id = `syn${String(i).padStart(3, '0')}-${styleName}-${bpm}-${TONIC_NAMES[tonic]}${mode === 'major' ? 'maj' : 'min'}`;
    const split = hashSeed(id) % 3 === 0 ? 'holdout' : 'tune';
    const base: SyntheticPieceSpec = {
      id,
      seed: hashSeed(`${id}/${options.seed ?? 2024}`),
      tonic,
      mode,
      bpm,
      timeSignature: style.ts,
      drums: style.drums,
      progression,
      tuningHz,
      durationSeconds: duration,
      tempoVariation,
      split,
    };
    out.push(base);
    if ((options.degraded ?? true) && i % 6 === 5) {
      const kind = Math.floor(i / 6) % 3;
      if (kind === 0) out.push({ ...base, id: `${id}-mp3`, codec: 'mp3-128k' });
      else if (kind === 1)
        out.push({ ...base, id: `${id}-noise`, degradation: { noiseSnrDb: rng.range(6, 20) } });
      else
        out.push({
          ...base,
          id: `${id}-fade`,
          degradation: { fadeInSeconds: rng.range(2, 8), fadeOutSeconds: rng.range(4, 12) },
        });
    }
  }
  return out;
}

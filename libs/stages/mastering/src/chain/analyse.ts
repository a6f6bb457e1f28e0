import { decode } from '@pressline/audio';
import {
  LongTermSpectrum,
  LoudnessMeter,
  SubsonicFilter,
  type Dbtp,
  type Decibels,
  type Hertz,
  type LoudnessUnits,
  type Lufs,
  type Seconds,
} from '@pressline/dsp';
import { planChannels, remix, type ChannelPlan } from './channels';

/** Long-term figures of a signal: what reference mastering matches and compression advice reads. */
export interface SignalAnalysis {
  readonly file: string;
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly durationSeconds: Seconds;
  readonly integratedLufs: Lufs | null;
  readonly loudnessRangeLu: LoudnessUnits | null;
  readonly truePeakDbtp: Dbtp | null;
  /** Mid-signal power per one-third-octave band (LongTermSpectrum), dB; -Infinity where empty. */
  readonly bandsDb: readonly Decibels[];
  /** Side/mid energy ratio, dB; null for mono or silence. */
  readonly widthDb: Decibels | null;
}

/**
 * One streaming pass: channel plan (mono -> dual mono, multichannel down-mix) and an optional
 * subsonic filter, then loudness (BS.1770-5) and the long-term one-third-octave spectrum. Used for
 * a reference track (any rate, any duration) and for the input when EQ or compression needs it.
 */
export async function analyseSignal(
  file: string,
  options: { readonly channels?: ChannelPlan; readonly subsonicHz?: Hertz | null } = {},
): Promise<SignalAnalysis> {
  const stream = decode(file);
  const format = await stream.open();
  const plan = options.channels ?? planChannels(format.channels, 'downmix');
  const meter = new LoudnessMeter({ sampleRate: format.sampleRate, channels: 2 });
  const spectrum = new LongTermSpectrum({ sampleRate: format.sampleRate, channels: 2 });
  const subsonic = options.subsonicHz
    ? new SubsonicFilter({ sampleRate: format.sampleRate, channels: 2, frequency: options.subsonicHz })
    : null;
  let frames = 0;
  for await (const block of stream) {
    const x = remix(plan, block.channels);
    subsonic?.process(x);
    meter.process(x);
    spectrum.process(x);
    frames += block.frames;
  }
  const l = meter.result();
  const s = spectrum.result();
  return {
    file,
    sampleRate: format.sampleRate,
    channels: format.channels,
    durationSeconds: frames / format.sampleRate,
    integratedLufs: l.integratedLufs,
    loudnessRangeLu: l.loudnessRangeLu,
    truePeakDbtp: l.truePeakDbtp,
    bandsDb: s.midBandsDb,
    widthDb: Number.isFinite(s.widthDb) ? s.widthDb : null,
  };
}

/**
 * Distance between two long-term spectra's shapes: RMS over the bands from `low` to `high` of the
 * level differences after removing their mean (levels do not count, only balance), dB.
 */
export function spectralDistanceDb(
  a: readonly Decibels[],
  b: readonly Decibels[],
  centres: readonly Hertz[],
  low = 40,
  high = 12500,
): Decibels {
  const d: number[] = [];
  for (let i = 0; i < centres.length; i++) {
    if (centres[i] < low || centres[i] > high) continue;
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) continue;
    d.push(a[i] - b[i]);
  }
  if (d.length === 0) return Number.NaN;
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  return Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
}

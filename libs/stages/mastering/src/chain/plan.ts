import type { Dbtp, Decibels, LoudnessUnits, Lufs } from '@pressline/dsp';
import type { LoudnessPolicy } from '../profiles';

/** What the pre-gain signal measures (BS.1770-5 integrated loudness and true peak). */
export interface PreGainFigures {
  readonly integratedLufs: Lufs;
  readonly truePeakDbtp: Dbtp;
}

export interface LoudnessPlanInput extends PreGainFigures {
  /** The loudness gain asked for (target - integrated, or the album gain). */
  readonly desiredGainDb: Decibels;
  readonly ceilingDbtp: Dbtp;
  /** Headroom under the ceiling that linear gain must keep (covers other meters' interpolators). */
  readonly peakMarginDb: Decibels;
  readonly policy: LoudnessPolicy;
}

export type LoudnessDecision = 'linear' | 'limit' | 'quieter';

export interface LoudnessPlan {
  readonly decision: LoudnessDecision;
  readonly gainDb: Decibels;
  /** Integrated loudness the output is expected to have (the target, or the quieter result). */
  readonly expectedLufs: Lufs;
  /** How much quieter than asked, by policy (0 unless decision = 'quieter'). */
  readonly quieterByLu: LoudnessUnits;
  /** Peak reduction the limiter must provide (0 unless decision = 'limit'). */
  readonly limiterReductionDb: Decibels;
  readonly reason: string;
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

/**
 * The loudness decision, made before any processing and never changed silently:
 * - linear gain when the gained true peak stays at least `peakMarginDb` under the ceiling;
 * - otherwise, by policy: 'limit' keeps the gain and lets the true-peak limiter take the excess off
 *   the peaks; 'quieter' lowers the gain until the peak fits and delivers that quieter level.
 */
export function planLoudness(p: LoudnessPlanInput): LoudnessPlan {
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`${k} must be finite, got ${v}`);
  }
  const allowedPeak = p.ceilingDbtp - p.peakMarginDb;
  const peakAfter = p.truePeakDbtp + p.desiredGainDb;
  const expected = p.integratedLufs + p.desiredGainDb;
  if (peakAfter <= allowedPeak) {
    return {
      decision: 'linear',
      gainDb: p.desiredGainDb,
      expectedLufs: expected,
      quieterByLu: 0,
      limiterReductionDb: 0,
      reason: `linear gain ${f2(p.desiredGainDb)} dB: true peak ${f2(peakAfter)} dBTP stays under ${f2(allowedPeak)} dBTP (ceiling ${f1(p.ceilingDbtp)} - margin ${f1(p.peakMarginDb)})`,
    };
  }
  const excess = peakAfter - allowedPeak;
  if (p.policy === 'quieter') {
    const gainDb = allowedPeak - p.truePeakDbtp;
    return {
      decision: 'quieter',
      gainDb,
      expectedLufs: p.integratedLufs + gainDb,
      quieterByLu: excess,
      limiterReductionDb: 0,
      reason: `policy 'quieter': linear gain ${f2(p.desiredGainDb)} dB would put the true peak at ${f2(peakAfter)} dBTP; gain ${f2(gainDb)} dB instead, delivered ${f2(excess)} LU quieter than asked`,
    };
  }
  return {
    decision: 'limit',
    gainDb: p.desiredGainDb,
    expectedLufs: expected,
    quieterByLu: 0,
    limiterReductionDb: excess,
    reason: `policy 'limit': linear gain ${f2(p.desiredGainDb)} dB would put the true peak at ${f2(peakAfter)} dBTP; the true-peak limiter takes about ${f2(excess)} dB off the peaks`,
  };
}

export interface AlbumTrackFigures extends PreGainFigures {
  readonly id: string;
}

export interface AlbumPlan {
  /** One gain for every track. */
  readonly gainDb: Decibels;
  /** The loudest track, on which the gain is anchored. */
  readonly anchorId: string;
  readonly anchorLufs: Lufs;
  /** Per track: linear, limited or (policy 'quieter') what lowered the album gain. */
  readonly tracks: readonly { id: string; plan: LoudnessPlan }[];
  readonly reason: string;
}

/**
 * Album mode: one gain G for the whole release, anchored on its loudest track (target - loudest
 * integrated loudness), so the loudness differences between tracks stay as made. Each track stays
 * true-peak safe: with policy 'limit' the tracks whose peaks G would push over are limited (each
 * alone, reported); with policy 'quieter' G itself is lowered until every track's peak fits, so the
 * differences still hold and the album is delivered quieter. With `targetLufs` null (CD) the
 * anchor keeps its loudness (G = 0 unless the peaks ask for less).
 */
export function planAlbum(
  tracks: readonly AlbumTrackFigures[],
  options: { targetLufs: Lufs | null; ceilingDbtp: Dbtp; peakMarginDb: Decibels; policy: LoudnessPolicy },
): AlbumPlan {
  if (tracks.length === 0) throw new RangeError('an album needs at least one track');
  let anchor = tracks[0];
  for (const t of tracks) if (t.integratedLufs > anchor.integratedLufs) anchor = t;
  const wanted = options.targetLufs === null ? 0 : options.targetLufs - anchor.integratedLufs;
  let gainDb = wanted;
  let reason = `album gain ${f2(wanted)} dB anchored on ${anchor.id} (${f2(anchor.integratedLufs)} LUFS)`;
  if (options.policy === 'quieter') {
    const allowed = options.ceilingDbtp - options.peakMarginDb;
    let limiting = anchor;
    for (const t of tracks) if (t.truePeakDbtp > limiting.truePeakDbtp) limiting = t;
    const fit = allowed - limiting.truePeakDbtp;
    if (fit < gainDb) {
      reason += `; policy 'quieter': lowered to ${f2(fit)} dB so that ${limiting.id} (true peak ${f2(limiting.truePeakDbtp)} dBTP) stays under ${f2(allowed)} dBTP, the album ${f2(gainDb - fit)} LU quieter than asked`;
      gainDb = fit;
    }
  }
  const plans = tracks.map((t) => ({
    id: t.id,
    plan: planLoudness({
      ...t,
      desiredGainDb: gainDb,
      ceilingDbtp: options.ceilingDbtp,
      peakMarginDb: options.peakMarginDb,
      policy: options.policy,
    }),
  }));
  return { gainDb, anchorId: anchor.id, anchorLufs: anchor.integratedLufs, tracks: plans, reason };
}

import { Biquad, biquadMagnitude, designBiquad, type BiquadCoefficients } from '../../filters';
import type { Decibels, Hertz } from '../../units';
import { THIRD_OCTAVE_CENTRES } from './long-term-spectrum';

export type EqSectionType = 'lowShelf' | 'peaking' | 'highShelf';

export interface EqSection {
  readonly type: EqSectionType;
  readonly frequency: Hertz;
  readonly q: number;
  readonly gain: Decibels;
}

export interface TonalBalanceOptions {
  /** Bound of the correction, +- dB (soft-limited with tanh, so the curve stays smooth). */
  readonly maxGain?: Decibels;
  /** Standard deviation of the Gaussian smoothing across bands, octaves. */
  readonly smoothingOctaves?: number;
  /** Band range matched; below it the correction fades to 0 over one octave, above it holds. */
  readonly lowFrequency?: Hertz;
  readonly highFrequency?: Hertz;
  /** Fraction of the correction applied (0..1). */
  readonly strength?: number;
}

export const TONAL_BALANCE_DEFAULTS: Readonly<Required<TonalBalanceOptions>> = Object.freeze({
  maxGain: 4,
  smoothingOctaves: 0.5,
  lowFrequency: 30,
  highFrequency: 16000,
  strength: 1,
});

export interface TonalBalanceDesign {
  readonly sampleRate: Hertz;
  readonly sections: readonly EqSection[];
  readonly centres: readonly Hertz[];
  /** The smoothed, bounded correction asked for, per band (0 where not fitted). */
  readonly desiredDb: readonly Decibels[];
  /** The response the sections realise, per band (NaN above 0.45 fs). */
  readonly curveDb: readonly Decibels[];
  /** Largest |curveDb|. */
  readonly maxAbsDb: Decibels;
  /** Level offset removed from target - measured before shaping (the loudness stage owns level). */
  readonly levelOffsetDb: Decibels;
}

/** The fixed basis: shelves at the ends, octave-spaced peaking filters between (Q 1 ~ 1.4 octaves). */
const BASIS: readonly Omit<EqSection, 'gain'>[] = Object.freeze([
  { type: 'lowShelf', frequency: 45, q: Math.SQRT1_2 },
  ...[63, 125, 250, 500, 1000, 2000, 4000, 8000].map((f) => ({
    type: 'peaking' as const,
    frequency: f,
    q: 1,
  })),
  { type: 'highShelf', frequency: 12000, q: Math.SQRT1_2 },
]);

function sectionCoefficients(s: EqSection, sampleRate: Hertz): BiquadCoefficients {
  switch (s.type) {
    case 'lowShelf':
      return designBiquad.lowShelf(sampleRate, s.frequency, s.q, s.gain);
    case 'highShelf':
      return designBiquad.highShelf(sampleRate, s.frequency, s.q, s.gain);
    case 'peaking':
      return designBiquad.peaking(sampleRate, s.frequency, s.q, s.gain);
  }
}

function sectionDb(s: EqSection, sampleRate: Hertz, f: Hertz): Decibels {
  if (s.gain === 0) return 0;
  return 20 * Math.log10(biquadMagnitude(sectionCoefficients(s, sampleRate), sampleRate, f));
}

/** Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = m[col * n + k];
        m[col * n + k] = m[piv * n + k];
        m[piv * n + k] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    const d = m[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col] / d;
      if (f === 0) continue;
      for (let k = col; k < n; k++) m[r * n + k] -= f * m[col * n + k];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/**
 * Designs a smooth, bounded tonal-balance correction toward `targetDb` from `measuredDb`, both
 * per one-third-octave band (THIRD_OCTAVE_CENTRES; e.g. LongTermSpectrum results of a reference
 * and of the input, or a target curve).
 *
 * Method (the spectral-matching step of reference mastering, cf. Matchering; smoothing and
 * bounds as in "auto-EQ" practice): difference per band, mean level removed, Gaussian smoothing
 * across bands (0.5 octave), soft bound M tanh(c / M), fade below the matched range; then a
 * least-squares fit (Gauss-Newton with a small Tikhonov term) of the gains of a fixed basis of
 * RBJ shelving and peaking biquads (designBiquad) to that curve, scaled down if the realised
 * response would leave the bound.
 */
export function designTonalBalance(
  targetDb: readonly Decibels[],
  measuredDb: readonly Decibels[],
  sampleRate: Hertz,
  options: TonalBalanceOptions = {},
): TonalBalanceDesign {
  const o = { ...TONAL_BALANCE_DEFAULTS, ...options };
  const nb = THIRD_OCTAVE_CENTRES.length;
  if (targetDb.length !== nb || measuredDb.length !== nb) {
    throw new RangeError(`need ${nb} one-third-octave bands, got ${targetDb.length} / ${measuredDb.length}`);
  }
  if (!(sampleRate >= 8000)) throw new RangeError(`sample rate must be >= 8000 Hz, got ${sampleRate}`);
  if (!(o.maxGain > 0 && o.maxGain <= 12))
    throw new RangeError(`maxGain must be in (0, 12] dB, got ${o.maxGain}`);
  if (!(o.smoothingOctaves >= 0 && o.smoothingOctaves <= 3)) {
    throw new RangeError(`smoothingOctaves must be in [0, 3], got ${o.smoothingOctaves}`);
  }
  if (!(o.lowFrequency >= 20 && o.lowFrequency < o.highFrequency)) {
    throw new RangeError(
      `need 20 <= lowFrequency < highFrequency, got ${o.lowFrequency} / ${o.highFrequency}`,
    );
  }
  if (!(o.strength >= 0 && o.strength <= 1))
    throw new RangeError(`strength must be in [0, 1], got ${o.strength}`);

  const fitLimit = 0.45 * sampleRate;
  const usable = THIRD_OCTAVE_CENTRES.map((f) => f <= fitLimit);
  const inRange = THIRD_OCTAVE_CENTRES.map(
    (f, b) =>
      usable[b] &&
      f >= o.lowFrequency &&
      f <= o.highFrequency &&
      isFinite(targetDb[b]) &&
      isFinite(measuredDb[b]),
  );
  const raw = THIRD_OCTAVE_CENTRES.map((_, b) => (inRange[b] ? targetDb[b] - measuredDb[b] : 0));
  const validCount = inRange.filter(Boolean).length;
  const desired = new Array<number>(nb).fill(0);
  let levelOffsetDb = 0;
  if (validCount > 0) {
    for (let b = 0; b < nb; b++) if (inRange[b]) levelOffsetDb += raw[b];
    levelOffsetDb /= validCount;
    const sigma = o.smoothingOctaves * 3;
    for (let b = 0; b < nb; b++) {
      if (!inRange[b]) continue;
      let sw = 0;
      let s = 0;
      for (let j = 0; j < nb; j++) {
        if (!inRange[j]) continue;
        const w = sigma > 0 ? Math.exp(-0.5 * ((j - b) / sigma) ** 2) : j === b ? 1 : 0;
        sw += w;
        s += w * (raw[j] - levelOffsetDb);
      }
      const c = (o.strength * s) / sw;
      desired[b] = o.maxGain * Math.tanh(c / o.maxGain);
    }
    const first = inRange.indexOf(true);
    const last = inRange.lastIndexOf(true);
    for (let b = first - 1, k = 1; b >= 0; b--, k++) desired[b] = desired[first] * Math.max(0, 1 - k / 3);
    for (let b = last + 1; b < nb; b++) if (usable[b]) desired[b] = desired[last];
  }

  const basis = BASIS.filter((s) => s.frequency < fitLimit);
  const n = basis.length;
  const bands = THIRD_OCTAVE_CENTRES.map((f, b) => ({ f, b })).filter(({ b }) => usable[b]);
  const weight = bands.map(({ b }) => (inRange[b] ? 1 : 0.3));
  const gains = new Float64Array(n);
  const lambda = 0.01;
  if (validCount > 0 && desired.some((d) => Math.abs(d) > 0.01)) {
    for (let iter = 0; iter < 8; iter++) {
      const resp = bands.map(({ f }) =>
        basis.reduce((s, sec, i) => s + sectionDb({ ...sec, gain: gains[i] }, sampleRate, f), 0),
      );
      // Jacobian by central differences (each section's response depends on its own gain only)
      const jac = bands.map(({ f }) =>
        basis.map((sec, i) => {
          const h = 0.05;
          return (
            (sectionDb({ ...sec, gain: gains[i] + h }, sampleRate, f) -
              sectionDb({ ...sec, gain: gains[i] - h }, sampleRate, f)) /
            (2 * h)
          );
        }),
      );
      const ata = new Float64Array(n * n);
      const atr = new Float64Array(n);
      bands.forEach(({ b }, r) => {
        const w = weight[r];
        const res = desired[b] - resp[r];
        for (let i = 0; i < n; i++) {
          atr[i] += w * jac[r][i] * res;
          for (let k = 0; k < n; k++) ata[i * n + k] += w * jac[r][i] * jac[r][k];
        }
      });
      for (let i = 0; i < n; i++) {
        ata[i * n + i] += lambda;
        atr[i] -= lambda * gains[i];
      }
      const step = solve(ata, atr, n);
      let maxStep = 0;
      for (let i = 0; i < n; i++) {
        gains[i] = Math.max(-2 * o.maxGain, Math.min(2 * o.maxGain, gains[i] + step[i]));
        maxStep = Math.max(maxStep, Math.abs(step[i]));
      }
      if (maxStep < 1e-3) break;
    }
  }

  const realise = (g: Float64Array): number[] =>
    THIRD_OCTAVE_CENTRES.map((f, b) =>
      usable[b]
        ? basis.reduce((s, sec, i) => s + sectionDb({ ...sec, gain: g[i] }, sampleRate, f), 0)
        : Number.NaN,
    );
  let curve = realise(gains);
  let maxAbs = curve.reduce((m, v) => (isNaN(v) ? m : Math.max(m, Math.abs(v))), 0);
  for (let guard = 0; maxAbs > o.maxGain && guard < 10; guard++) {
    const k = (o.maxGain / maxAbs) * 0.999;
    for (let i = 0; i < n; i++) gains[i] *= k;
    curve = realise(gains);
    maxAbs = curve.reduce((m, v) => (isNaN(v) ? m : Math.max(m, Math.abs(v))), 0);
  }
  const sections: EqSection[] = [];
  basis.forEach((sec, i) => {
    if (Math.abs(gains[i]) >= 0.01) sections.push(Object.freeze({ ...sec, gain: gains[i] }));
  });
  curve = THIRD_OCTAVE_CENTRES.map((f, b) =>
    usable[b] ? sections.reduce((s, sec) => s + sectionDb(sec, sampleRate, f), 0) : Number.NaN,
  );
  maxAbs = curve.reduce((m, v) => (isNaN(v) ? m : Math.max(m, Math.abs(v))), 0);
  return Object.freeze({
    sampleRate,
    sections: Object.freeze(sections),
    centres: THIRD_OCTAVE_CENTRES,
    desiredDb: Object.freeze(desired),
    curveDb: Object.freeze(curve),
    maxAbsDb: maxAbs,
    levelOffsetDb,
  });
}

/** Applies a TonalBalanceDesign: a cascade of biquads per channel (identity if it has no sections). */
export class TonalBalanceEq {
  readonly design: TonalBalanceDesign;
  readonly channels: number;
  private readonly coefficients: readonly BiquadCoefficients[];
  private readonly filters: Biquad[][];

  constructor(design: TonalBalanceDesign, channels: number) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${channels}`);
    }
    this.design = design;
    this.channels = channels;
    this.coefficients = design.sections.map((s) => sectionCoefficients(s, design.sampleRate));
    this.filters = Array.from({ length: channels }, () => this.coefficients.map((c) => new Biquad(c)));
  }

  /** Filters one planar block in place. */
  process(block: Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    for (let c = 0; c < this.channels; c++) for (const f of this.filters[c]) f.process(block[c]);
  }

  /** Realised magnitude response at any frequency, dB (for a dense plot in a report). */
  responseDb(frequency: Hertz): Decibels {
    let g = 1;
    for (const c of this.coefficients) g *= biquadMagnitude(c, this.design.sampleRate, frequency);
    return 20 * Math.log10(g);
  }

  reset(): void {
    for (const fs of this.filters) for (const f of fs) f.reset();
  }
}

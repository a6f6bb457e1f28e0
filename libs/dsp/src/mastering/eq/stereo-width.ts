import { dbToGain, type Decibels, type Gain } from '../../units';

export interface StereoWidthOptions {
  /** Gain applied to the side signal (L-R)/2: 1 = unchanged, 0 = mono. */
  readonly sideGain?: Gain;
  /** Gain applied to the mid signal (L+R)/2. */
  readonly midGain?: Gain;
}

export const STEREO_WIDTH_DEFAULTS: Readonly<Required<StereoWidthOptions>> = Object.freeze({
  sideGain: 1,
  midGain: 1,
});

/**
 * Mid/side width adjuster (Blumlein M/S matrix): M = (L+R)/2, S = (L-R)/2, scaled, then
 * L = M + S, R = M - S. Stateless apart from its gains; stereo only.
 */
export class StereoWidth {
  readonly sideGain: Gain;
  readonly midGain: Gain;

  constructor(options: StereoWidthOptions = {}) {
    const o = { ...STEREO_WIDTH_DEFAULTS, ...options };
    if (!(o.sideGain >= 0 && o.sideGain <= 4))
      throw new RangeError(`side gain must be in [0, 4], got ${o.sideGain}`);
    if (!(o.midGain >= 0 && o.midGain <= 4))
      throw new RangeError(`mid gain must be in [0, 4], got ${o.midGain}`);
    this.sideGain = o.sideGain;
    this.midGain = o.midGain;
  }

  /** Processes a stereo block in place. */
  process(block: Float32Array[]): void {
    if (block.length !== 2) throw new RangeError(`stereo width needs 2 channels, got ${block.length}`);
    const l = block[0];
    const r = block[1];
    if (l.length !== r.length) throw new RangeError('both channels of a block must have the same length');
    const gm = 0.5 * this.midGain;
    const gs = 0.5 * this.sideGain;
    for (let i = 0; i < l.length; i++) {
      const a = l[i];
      const b = r[i];
      const m = gm * (a + b);
      const s = gs * (a - b);
      l[i] = m + s;
      r[i] = m - s;
    }
  }

  reset(): void {
    // stateless
  }
}

/**
 * Side gain that moves a track's width (side/mid energy ratio, dB, see LongTermSpectrum) to a
 * reference's, bounded to +-maxChange dB; 1 when either is mono or silent.
 */
export function widthMatchSideGain(
  inputWidthDb: Decibels,
  referenceWidthDb: Decibels,
  maxChange: Decibels = 3,
): Gain {
  if (!(maxChange >= 0)) throw new RangeError(`maxChange must be >= 0 dB, got ${maxChange}`);
  if (!isFinite(inputWidthDb) || !isFinite(referenceWidthDb)) return 1;
  const change = Math.max(-maxChange, Math.min(maxChange, referenceWidthDb - inputWidthDb));
  return dbToGain(change);
}

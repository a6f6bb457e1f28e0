import { Biquad, biquadMagnitude, designBiquad, type BiquadCoefficients } from '../../filters';
import type { Decibels, Hertz } from '../../units';

export interface SubsonicFilterOptions {
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** -3 dB corner. */
  readonly frequency?: Hertz;
}

export const SUBSONIC_FILTER_DEFAULTS: Readonly<Required<Pick<SubsonicFilterOptions, 'frequency'>>> =
  Object.freeze({ frequency: 20 });

/** Q of the two sections of a 4th-order Butterworth: 1 / (2 cos(pi/8)), 1 / (2 cos(3 pi/8)). */
const BUTTERWORTH4_Q = Object.freeze([
  1 / (2 * Math.cos(Math.PI / 8)),
  1 / (2 * Math.cos((3 * Math.PI) / 8)),
]);

/**
 * DC / subsonic high-pass: 4th-order Butterworth (24 dB/octave, -3 dB at `frequency`), as two
 * RBJ high-pass biquads with the Butterworth pole Qs, both pre-warped at the corner, which is the
 * bilinear transform of the analogue prototype.
 */
export class SubsonicFilter {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly frequency: Hertz;
  readonly sections: readonly BiquadCoefficients[];
  private readonly filters: Biquad[][];

  constructor(options: SubsonicFilterOptions) {
    const o = { ...SUBSONIC_FILTER_DEFAULTS, ...options };
    if (!Number.isInteger(o.channels) || o.channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${o.channels}`);
    }
    if (!(o.frequency >= 5 && o.frequency <= 200)) {
      throw new RangeError(`subsonic corner must be in [5, 200] Hz, got ${o.frequency}`);
    }
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.frequency = o.frequency;
    this.sections = BUTTERWORTH4_Q.map((q) => designBiquad.highPass(o.sampleRate, o.frequency, q));
    this.filters = Array.from({ length: o.channels }, () => this.sections.map((s) => new Biquad(s)));
  }

  /** Filters one planar block in place. */
  process(block: Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    for (let c = 0; c < this.channels; c++) {
      for (const f of this.filters[c]) f.process(block[c]);
    }
  }

  /** Designed magnitude response at `frequency`, dB. */
  responseDb(frequency: Hertz): Decibels {
    let g = 1;
    for (const s of this.sections) g *= biquadMagnitude(s, this.sampleRate, frequency);
    return 20 * Math.log10(g);
  }

  reset(): void {
    for (const fs of this.filters) for (const f of fs) f.reset();
  }
}

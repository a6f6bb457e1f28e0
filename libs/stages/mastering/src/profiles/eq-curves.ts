import { THIRD_OCTAVE_CENTRES, type Decibels } from '@pressline/dsp';
import type { EqSetting } from './profile';

/**
 * Built-in tonal-balance targets, per one-third-octave band (THIRD_OCTAVE_CENTRES), as long-term
 * band power in dB (only the shape matters: the level is removed by designTonalBalance). These are
 * conventions, not measurements or standards:
 * - 'pink': equal power per band (pink noise), the flat reference of 1/3-octave analysers.
 * - 'gentle-tilt': pink up to 250 Hz, then falling 1.5 dB per octave, the broad downward slope of
 *   long-term spectra of mixed popular music (no published curve is claimed).
 */
export const EQ_CURVES: Readonly<Record<string, readonly Decibels[]>> = Object.freeze({
  pink: Object.freeze(THIRD_OCTAVE_CENTRES.map(() => 0)),
  'gentle-tilt': Object.freeze(THIRD_OCTAVE_CENTRES.map((f) => (f <= 250 ? 0 : -1.5 * Math.log2(f / 250)))),
});

/** The target bands of an EQ setting; null when it is off. RangeError for an unknown curve. */
export function eqTargetBands(setting: EqSetting): readonly Decibels[] | null {
  switch (setting.mode) {
    case 'off':
      return null;
    case 'custom':
      return setting.bandsDb;
    case 'curve': {
      const c = Object.prototype.hasOwnProperty.call(EQ_CURVES, setting.curve)
        ? EQ_CURVES[setting.curve]
        : undefined;
      if (!c)
        throw new RangeError(
          `unknown EQ curve "${setting.curve}" (known: ${Object.keys(EQ_CURVES).join(', ')})`,
        );
      return c;
    }
  }
}

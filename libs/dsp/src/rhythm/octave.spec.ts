import { TEMPO_OCTAVE_MODEL } from './octave-model';
import {
  OCTAVE_FEATURE_NAMES,
  acfSpectrum,
  checkOctaveModel,
  octaveFeatures,
  octaveScore,
  type OctaveModel,
} from './octave';
import { sampleAt } from './periodicity';
import { bandTempogramsOf } from './tempogram';

const FR = 86.1328125;

/** Band tempograms of an onset envelope with an impulse every `period` frames (all bands alike). */
function pulses(period: number, seconds = 30): ReturnType<typeof bandTempogramsOf> {
  const n = Math.round(seconds * FR);
  const x = new Float32Array(n);
  for (let t = 0; t < n; t += period) x[Math.round(t)] = 1;
  return bandTempogramsOf(FR, x, x, x, x);
}

describe('octave features and model', () => {
  it('the shipped model matches the features this code computes', () => {
    expect(() => checkOctaveModel(TEMPO_OCTAVE_MODEL)).not.toThrow();
    expect(TEMPO_OCTAVE_MODEL.trainedOn).toMatch(/syntheticSet version \d+ seeds/);
  });

  it('refuses a model trained on other features', () => {
    const stale: OctaveModel = { ...TEMPO_OCTAVE_MODEL, features: TEMPO_OCTAVE_MODEL.features.slice(1) };
    expect(() => checkOctaveModel(stale)).toThrow(/retrain/);
  });

  it('reads the tempograms at the multiples of the candidate period', () => {
    // pulses at 120 BPM: the ACF peaks at the beat and its multiples, not at half or a third of it
    const t = pulses((60 / 120) * FR);
    const at = (bpm: number, name: string): number =>
      octaveFeatures(t, bpm)[OCTAVE_FEATURE_NAMES.indexOf(name)];
    expect(at(120, 'log2(bpm/120)')).toBeCloseTo(0, 12);
    expect(at(60, 'log2(bpm/120)')).toBeCloseTo(-1, 12);
    expect(at(120, 'all@1')).toBeGreaterThan(at(120, 'all@1/2') + 1);
    expect(at(120, 'high@2')).toBeGreaterThan(at(120, 'high@3/2') + 1);
    expect(at(240, 'all@2')).toBeGreaterThan(at(240, 'all@1') + 1);
  });

  it('tells accents every two eighths (3/4) from accents every three (6/8), which the ACF hardly does', () => {
    // uniform eighths at 360 per minute, every second or every third one louder
    const eighth = (60 / 360) * FR;
    const accented = (every: number): ReturnType<typeof bandTempogramsOf> => {
      const n = Math.round(30 * FR);
      const x = new Float32Array(n);
      for (let k = 0; k * eighth < n; k++) x[Math.round(k * eighth)] = k % every === 0 ? 1 : 0.6;
      return bandTempogramsOf(FR, x, x, x, x);
    };
    for (const [every, other] of [
      [2, 3],
      [3, 2],
    ]) {
      const a = accented(every).all.mean;
      const accent = acfSpectrum(a, every * eighth);
      const notAccent = acfSpectrum(a, other * eighth);
      expect(accent).toBeGreaterThan(10 * Math.max(notAccent, 1e-4));
      // the ACF itself: both lags are multiples of the eighth and nearly as high
      expect(sampleAt(a, other * eighth)).toBeGreaterThan(0.6 * sampleAt(a, every * eighth));
    }
  });

  it('prefers the pulse itself over its half and double on a plain 120 BPM pulse train', () => {
    const t = pulses((60 / 120) * FR);
    const score = (bpm: number): number => octaveScore(TEMPO_OCTAVE_MODEL, octaveFeatures(t, bpm));
    expect(score(120)).toBeGreaterThan(score(60));
    expect(score(120)).toBeGreaterThan(score(240));
  });
});

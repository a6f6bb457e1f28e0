import { TEMPO_OCTAVE_MODEL } from './octave-model';
import {
  OCTAVE_FEATURE_NAMES,
  checkOctaveModel,
  octaveFeatures,
  octaveScore,
  type OctaveModel,
} from './octave';
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
    expect(TEMPO_OCTAVE_MODEL.trainedOn).toMatch(/syntheticSet seeds/);
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

  it('prefers the pulse itself over its half and double on a plain 120 BPM pulse train', () => {
    const t = pulses((60 / 120) * FR);
    const score = (bpm: number): number => octaveScore(TEMPO_OCTAVE_MODEL, octaveFeatures(t, bpm));
    expect(score(120)).toBeGreaterThan(score(60));
    expect(score(120)).toBeGreaterThan(score(240));
  });
});

import { OnsetAnalyzer } from './onset';
import {
  PERCIVAL_DEFAULTS,
  PercivalAnalyzer,
  enhanceHarmonics,
  firLowpass,
  generalizedAutocorrelation,
  percivalOctave,
  percivalTempo,
  pulseTrainScores,
} from './percival';
import { autocorrelation } from './periodicity';
import { estimateTempo } from './tempo';

const SR = 22050;

/** Mono click track: a 1.5 kHz decaying blip per beat, every fourth beat louder. */
function clicks(bpm: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.floor(seconds * SR));
  for (let i = 0, t = 0.2; t < seconds; i++, t += 60 / bpm) {
    const s = Math.floor(t * SR);
    const amp = i % 4 === 0 ? 0.9 : 0.5;
    for (let k = 0; k < 0.03 * SR && s + k < x.length; k++)
      x[s + k] += amp * Math.exp(-k / (0.006 * SR)) * Math.sin((2 * Math.PI * 1500 * k) / SR);
  }
  return x;
}

/** Impulses every `period` samples (OSS-like). */
function impulses(n: number, period: number): Float32Array {
  const x = new Float32Array(n);
  for (let t = 0; t < n; t += period) x[Math.round(t)] = 1;
  return x;
}

describe('Percival & Tzanetakis 2014 tempo estimator', () => {
  it('designs a 7 Hz FIR low-pass with unit DC gain and a strong stop band', () => {
    const h = firLowpass(15, 7, PERCIVAL_DEFAULTS.ossRate);
    const dc = h.reduce((a, b) => a + b, 0);
    expect(dc).toBeCloseTo(1, 9);
    expect(h[0]).toBeCloseTo(h[14], 12);
    // gain at 60 Hz (well past the main lobe of a 15-tap window at 344.5 Hz)
    let re = 0;
    let im = 0;
    for (let i = 0; i < h.length; i++) {
      const w = (2 * Math.PI * 60 * i) / PERCIVAL_DEFAULTS.ossRate;
      re += h[i] * Math.cos(w);
      im -= h[i] * Math.sin(w);
    }
    expect(Math.hypot(re, im)).toBeLessThan(0.05);
  });

  it('generalised autocorrelation with compression 2 is the plain autocorrelation', () => {
    const x = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.3));
    const g = generalizedAutocorrelation(x, 2);
    const a = autocorrelation(x, 299);
    for (const l of [0, 1, 17, 150, 299]) expect(g[l]).toBeCloseTo(a[l], 6);
  });

  it('generalised autocorrelation of an impulse train peaks at its period', () => {
    const g = generalizedAutocorrelation(impulses(1000, 50), PERCIVAL_DEFAULTS.compression);
    let arg = 20;
    for (let l = 20; l < 80; l++) if (g[l] > g[arg]) arg = l;
    expect(arg).toBe(50);
  });

  it('enhances harmonics as A[l] + A[2l] + A[4l]', () => {
    const a = Float64Array.from({ length: 16 }, (_, i) => i + 1);
    const e = enhanceHarmonics(a);
    expect(e[3]).toBeCloseTo(4 + 7 + 13, 12);
    expect(e[10]).toBeCloseTo(11, 12);
  });

  it('scores a pulse train at the true period with every pulse on an onset', () => {
    // phase 0 at period 40: 4 beats (0, 40, 80, 120), double-period pulses 0 and 80 of 0..240 (the
    // others beyond 160 are past the signal), 1.5-period pulses at 0 and 120
    const s = pulseTrainScores(impulses(161, 40), 40);
    expect(s.mag).toBeCloseTo(4 + 0.5 * 3 + 0.5 * 2, 9);
    expect(s.variance).toBeGreaterThan(0);
  });

  it('decides the octave like the published SVM: doubles 60, keeps 120, halves 180 BPM', () => {
    const acc = (lag: number): Float64Array => {
      const a = new Float64Array(414);
      for (let j = 0; j < a.length; j++) a[j] = Math.exp(-0.5 * ((j - lag) / 10) ** 2);
      return a;
    };
    const at = (bpm: number): number => {
      const lag = Math.round((PERCIVAL_DEFAULTS.ossRate * 60) / bpm);
      return percivalOctave(acc(lag), lag, bpm, 10);
    };
    expect(at(60)).toBe(2);
    expect(at(120)).toBe(1);
    expect(at(180)).toBe(0.5);
  });

  it('finds 120 BPM in a click track from its own onset signal', () => {
    const pa = new PercivalAnalyzer(SR);
    pa.process(clicks(120, 20));
    expect(pa.ossRate).toBeCloseTo(SR / 64, 6);
    expect(Math.abs(pa.result().bpm - 120)).toBeLessThan(2);
  });

  it('gives the same result streamed in small blocks as in one block', () => {
    const x = clicks(97, 15);
    const one = new PercivalAnalyzer(SR);
    one.process(x);
    const many = new PercivalAnalyzer(SR);
    for (let i = 0; i < x.length; i += 777) many.process(x.subarray(i, i + 777));
    expect(many.result().bpm).toBeCloseTo(one.result().bpm, 6);
    expect(many.result().lags).toEqual(one.result().lags);
  });

  it('finds 100 BPM on the rhythm onset envelope (86 frames/s, fractional periods)', () => {
    const oa = new OnsetAnalyzer(SR);
    oa.process(clicks(100, 20));
    const f = oa.features();
    expect(Math.abs(percivalTempo(f.all, f.frameRate).bpm - 100)).toBeLessThan(2);
  });
});

describe('tempogram fallback to the Percival estimate', () => {
  const features = (bpm: number, seconds: number): ReturnType<OnsetAnalyzer['features']> => {
    const oa = new OnsetAnalyzer(SR);
    oa.process(clicks(bpm, seconds));
    return oa.features();
  };

  it('keeps the tempogram answer when it is confident enough', () => {
    const f = features(128, 20);
    const t = estimateTempo(f, undefined, undefined, { bpm: 64, belowConfidence: 0.05 });
    expect(Math.abs(t.bpm - 128)).toBeLessThan(1.5);
  });

  it('takes the fallback tempo as primary, with an honest confidence, when the tempogram is unsure', () => {
    const f = features(128, 4);
    const plain = estimateTempo(f);
    const t = estimateTempo(f, undefined, undefined, { bpm: 64, belowConfidence: 1 });
    expect(t.bpm).toBeCloseTo(64, 1);
    expect(t.candidates[0].relation).toBe('primary');
    expect(t.candidates.some((c) => c.relation === 'double')).toBe(true);
    expect(t.confidence).toBeLessThan(plain.confidence);
  });

  it('in the agreement band, takes the fallback tempo only when it is the runner-up candidate', () => {
    const f = features(90, 4); // 4 s: unsure between 90 and 180
    const plain = estimateTempo(f);
    const runnerUp = plain.candidates[1];
    expect(runnerUp.score).toBeGreaterThanOrEqual(0.1);
    // the third candidate is not an agreement
    const third = estimateTempo(f, undefined, undefined, {
      bpm: plain.candidates[2].bpm,
      belowConfidence: 0,
      agreeingBelowConfidence: 1,
    });
    expect(third.bpm).toBe(plain.bpm);
    const band = { belowConfidence: 0, agreeingBelowConfidence: 1 };
    // Percival 2 % away from the runner-up: the two agree, its value becomes primary
    const agreeing = estimateTempo(f, undefined, undefined, { bpm: runnerUp.bpm * 1.02, ...band });
    expect(agreeing.bpm).toBeCloseTo(runnerUp.bpm * 1.02, 0);
    expect(agreeing.candidates[0].relation).toBe('primary');
    // a tempo no candidate is near: the model's first choice stays
    const lone = plain.bpm * 1.2;
    expect(plain.candidates.every((c) => Math.abs(c.bpm / lone - 1) > 0.04)).toBe(true);
    expect(estimateTempo(f, undefined, undefined, { bpm: lone, ...band }).bpm).toBe(plain.bpm);
    // confidence above the band's upper end (the reported confidence is rounded to 0.001)
    const above = { belowConfidence: 0, agreeingBelowConfidence: plain.confidence - 0.001 };
    expect(estimateTempo(f, undefined, undefined, { bpm: runnerUp.bpm, ...above }).bpm).toBe(plain.bpm);
  });
});

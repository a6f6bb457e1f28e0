import { TruePeakMeter, designTruePeakInterpolator, truePeakOversampling } from './true-peak';

const { sin, cos, PI, log10 } = Math;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** Noise with a slowly varying envelope: some stretches skippable, some not. */
function music(fs: number, seconds: number, seed = 7): Float32Array[] {
  const n = Math.round(fs * seconds);
  const rnd = lcg(seed);
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const env = 0.15 + 0.6 * Math.abs(sin((2 * PI * 0.7 * i) / fs)) ** 3;
    a = 0.6 * a + rnd();
    b = 0.6 * b + rnd();
    l[i] = env * a;
    r[i] = env * (0.5 * a + 0.5 * b);
  }
  return [l, r];
}

function run(signal: Float32Array[], fs: number, block: number): TruePeakMeter {
  const m = new TruePeakMeter({ sampleRate: fs, channels: signal.length });
  const n = signal[0].length;
  for (let i = 0; i < n; i += block) m.process(signal.map((c) => c.subarray(i, Math.min(n, i + block))));
  return m;
}

/** Brute force: every oversampled value, no skipping, zero history before and silence after. */
function bruteForce(x: Float32Array, fs: number): { peak: number; overs: number; overSamples: number } {
  const it = designTruePeakInterpolator(truePeakOversampling(fs));
  const T = it.tapsPerPhase;
  const padded = new Float64Array(x.length + 2 * T);
  padded.set(x, T);
  let peak = 0;
  let overs = 0;
  let overSamples = 0;
  let inRun = false;
  // Centres from the first sample to the last one (the meter also evaluates T/2 centres of
  // pre-roll, which only see zeros and the first samples; include them the same way).
  for (let m = T - T / 2; m < T + x.length; m++) {
    for (let p = 0; p < it.factor; p++) {
      let y = 0;
      if (p === 0) y = padded[m];
      else for (let j = 0; j < T; j++) y += it.coefficients[(p - 1) * T + j] * padded[m - T / 2 + 1 + j];
      const a = Math.abs(y);
      if (a > peak) peak = a;
      if (a > 1) {
        if (!inRun) overs++;
        inRun = true;
        overSamples++;
      } else inRun = false;
    }
  }
  return { peak, overs, overSamples };
}

describe('truePeakOversampling', () => {
  const cases: [number, number][] = [
    [8000, 4],
    [44100, 4],
    [48000, 4],
    [88200, 4],
    [96000, 2],
    [176400, 2],
    [192000, 1],
    [384000, 1],
  ];
  for (const [fs, factor] of cases) {
    it(`oversamples ${fs} Hz by ${factor} (4x below 96 kHz, 2x below 192 kHz, 1x above)`, () => {
      expect(truePeakOversampling(fs)).toBe(factor);
    });
  }
  it('refuses rates outside 8..384 kHz', () => {
    expect(() => truePeakOversampling(4000)).toThrow(RangeError);
  });
});

describe('designTruePeakInterpolator', () => {
  for (const factor of [2, 4, 5]) {
    it(`${factor}x: every phase is flat within +-0.05 dB up to 0.4 fs`, () => {
      const it = designTruePeakInterpolator(factor);
      const T = it.tapsPerPhase;
      for (let p = 1; p < factor; p++) {
        for (let f = 0; f <= 0.4; f += 0.01) {
          let re = 0;
          let im = 0;
          for (let j = 0; j < T; j++) {
            const h = it.coefficients[(p - 1) * T + j];
            re += h * cos(2 * PI * f * j);
            im -= h * sin(2 * PI * f * j);
          }
          expect(Math.abs(10 * log10(re * re + im * im))).toBeLessThan(0.05);
        }
      }
    });
  }
  it('refuses a factor of 0', () => {
    expect(() => designTruePeakInterpolator(0)).toThrow(RangeError);
  });
});

describe('TruePeakMeter', () => {
  it('reads a 0.5 FFS sine at fs/4 and 45 degrees (sample peak -9 dBFS) as -6.02 +-0.05 dBTP', () => {
    const fs = 48000;
    const x = new Float32Array(fs);
    const fade = 480; // 10 ms raised-cosine fades keep the onset from ringing
    for (let i = 0; i < fs; i++) {
      const g =
        i < fade
          ? 0.5 - 0.5 * cos((PI * i) / fade)
          : i >= fs - fade
            ? 0.5 - 0.5 * cos((PI * (fs - 1 - i)) / fade)
            : 1;
      x[i] = g * 0.5 * sin((2 * PI * i) / 4 + PI / 4);
    }
    const m = run([x], fs, 1000);
    expect(20 * log10(m.samplePeaks()[0])).toBeCloseTo(-9.03, 1);
    expect(Math.abs(20 * log10(m.truePeaks()[0]) - 20 * log10(0.5))).toBeLessThan(0.05);
  });

  it('never reads below the sample peak', () => {
    const [l, r] = music(44100, 2);
    const m = run([l, r], 44100, 4096);
    for (let c = 0; c < 2; c++) expect(m.truePeaks()[c]).toBeGreaterThanOrEqual(m.samplePeaks()[c]);
  });

  for (const fs of [44100, 48000, 96000]) {
    it(`skipping is exact at ${fs} Hz: equals a brute-force evaluation of every oversampled value within 1e-9`, () => {
      const [l] = music(fs, 1.5, 3);
      const m = run([l], fs, 1234);
      const ref = bruteForce(l, fs);
      expect(Math.abs(m.truePeaks()[0] - ref.peak)).toBeLessThan(1e-9);
    });
  }

  it('gives the same reading whatever the block size (1, 7, 4096, whole)', () => {
    const fs = 48000;
    const [l, r] = music(fs, 0.5, 11);
    const ref = run([l, r], fs, l.length).truePeaks();
    for (const block of [1, 7, 4096]) {
      const tp = run([l, r], fs, block).truePeaks();
      expect(Math.abs(tp[0] - ref[0])).toBeLessThan(1e-12);
      expect(Math.abs(tp[1] - ref[1])).toBeLessThan(1e-12);
    }
  });

  it('counts inter-sample overs of a 1.2 FFS sine at fs/4, 45 degrees (samples at 0.85) as brute force does', () => {
    const fs = 48000;
    const x = new Float32Array(4800);
    for (let i = 0; i < x.length; i++) x[i] = 1.2 * sin((2 * PI * i) / 4 + PI / 4);
    const m = run([x], fs, 333);
    const ref = bruteForce(x, fs);
    const overs = m.oversPerChannel()[0];
    expect(overs.events).toBe(ref.overs);
    expect(overs.samples).toBe(ref.overSamples);
    // One over per half period: about 2400 events of 3 oversampled values each.
    expect(overs.events).toBeGreaterThan(2390);
    expect(overs.events).toBeLessThan(2410);
  });

  it('counts no overs below 0 dBTP', () => {
    const [l] = music(48000, 1);
    expect(run([l], 48000, 4096).oversPerChannel()[0].events).toBe(0);
  });

  it('measures at 192 kHz and above without oversampling (true peak = sample peak)', () => {
    const fs = 192000;
    const [l] = music(fs, 0.3);
    const m = run([l], fs, 4096);
    expect(m.truePeaks()[0]).toBe(m.samplePeaks()[0]);
  });

  it('includes the pending tail: a full-scale step at the very end reads above the sample peak', () => {
    const fs = 48000;
    const x = new Float32Array(1000);
    for (let i = 990; i < 1000; i++) x[i] = i % 2 === 0 ? 0.9 : -0.9;
    const m = run([x], fs, 1000);
    expect(m.truePeaks()[0]).toBeGreaterThan(0.9);
  });

  it('reset() forgets peaks and overs', () => {
    const x = new Float32Array(4800).map((_, i) => 1.2 * sin((2 * PI * i) / 4 + PI / 4));
    const m = run([x], 48000, 4800);
    m.reset();
    expect(m.truePeaks()[0]).toBe(0);
    expect(m.oversPerChannel()[0].events).toBe(0);
  });
});

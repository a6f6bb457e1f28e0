/**
 * The skipping true-peak kernel against a straightforward reference that evaluates every
 * oversampled value (zero history before the signal, silence after it, as the meter's pending
 * tail does). The reference uses the kernel's arithmetic (phases p and L-p folded into
 * E +- O, the symmetric phase from the same sums), so the peak must match to the last bit:
 * exact equality is the point of these tests (the skip bounds claim to be exact, and an
 * off-by-one-ulp maximum would mean a position that mattered was skipped). Over counts are
 * integers; the reference counts them on the unfolded values in time order, as countOvers does.
 */
import { TruePeakMeter, designTruePeakInterpolator, truePeakOversampling } from './true-peak';

// Module-level aliases: a Math.* lookup per sample is slow inside jest's vm sandbox.
const { sin, PI, sqrt, round } = Math;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

interface Reference {
  truePeak: number;
  samplePeak: number;
  events: number;
  samples: number;
}

/** Every oversampled value of x (factor 2 or 4), with the kernel's folded arithmetic for the peak. */
function reference(x: Float32Array, fs: number, overThreshold = 1): Reference {
  const it = designTruePeakInterpolator(truePeakOversampling(fs));
  const T = it.tapsPerPhase;
  const L = it.factor;
  const c = it.coefficients;
  const buf = new Float64Array(x.length + 2 * T);
  buf.set(x, T);
  // Fold as the meter does: e_j = (c_j + c_(T-1-j)) / 2, o_j = (c_j - c_(T-1-j)) / 2.
  const fold = (o: number, sign: number): number[] =>
    Array.from({ length: T / 2 }, (_, j) => (c[o + j] + sign * c[o + T - 1 - j]) / 2);
  const pairs: [number[], number[]][] = [];
  for (let p = 1; 2 * p < L; p++) pairs.push([fold((p - 1) * T, 1), fold((p - 1) * T, -1)]);
  const mv = L % 2 === 0 ? fold((L / 2 - 1) * T, 1) : null;
  const s = new Float64Array(T / 2);
  const d = new Float64Array(T / 2);
  let maxSq = 0;
  let samplePeak = 0;
  let events = 0;
  let samples = 0;
  let inRun = false;
  const count = (v: number): void => {
    if (v * v > overThreshold * overThreshold) {
      if (!inRun) events++;
      inRun = true;
      samples++;
    } else {
      inRun = false;
    }
  };
  for (let m = T - T / 2; m < T + x.length; m++) {
    const v = buf[m];
    if (v * v > samplePeak * samplePeak) samplePeak = sqrt(v * v);
    const i = m - T / 2 + 1;
    for (let j = 0; j < T / 2; j++) {
      s[j] = buf[i + j] + buf[i + T - 1 - j];
      d[j] = buf[i + j] - buf[i + T - 1 - j];
    }
    // Peak: pairs (p, L-p) for p < L/2 as E +- O, then the symmetric phase L/2.
    for (const [ev, od] of pairs) {
      const e =
        ev[0] * s[0] +
        ev[1] * s[1] +
        (ev[2] * s[2] + ev[3] * s[3]) +
        (ev[4] * s[4] + ev[5] * s[5] + (ev[6] * s[6] + ev[7] * s[7]));
      const o =
        od[0] * d[0] +
        od[1] * d[1] +
        (od[2] * d[2] + od[3] * d[3]) +
        (od[4] * d[4] + od[5] * d[5] + (od[6] * d[6] + od[7] * d[7]));
      const y1 = e + o;
      const y2 = e - o;
      if (y1 * y1 > maxSq) maxSq = y1 * y1;
      if (y2 * y2 > maxSq) maxSq = y2 * y2;
    }
    if (mv) {
      const y =
        mv[0] * s[0] +
        mv[1] * s[1] +
        (mv[2] * s[2] + mv[3] * s[3]) +
        (mv[4] * s[4] + mv[5] * s[5] + (mv[6] * s[6] + mv[7] * s[7]));
      if (y * y > maxSq) maxSq = y * y;
    }
    // Overs: the sample, then phases 1..L-1 unfolded, in time order.
    count(v);
    for (let p = 1; p < L; p++) {
      const o = (p - 1) * T;
      const y =
        c[o] * buf[i] +
        c[o + 1] * buf[i + 1] +
        (c[o + 2] * buf[i + 2] + c[o + 3] * buf[i + 3]) +
        (c[o + 4] * buf[i + 4] + c[o + 5] * buf[i + 5] + (c[o + 6] * buf[i + 6] + c[o + 7] * buf[i + 7])) +
        (c[o + 8] * buf[i + 8] +
          c[o + 9] * buf[i + 9] +
          (c[o + 10] * buf[i + 10] + c[o + 11] * buf[i + 11]) +
          (c[o + 12] * buf[i + 12] +
            c[o + 13] * buf[i + 13] +
            (c[o + 14] * buf[i + 14] + c[o + 15] * buf[i + 15])));
      count(y);
    }
  }
  const tp = sqrt(maxSq);
  return { truePeak: tp > samplePeak ? tp : samplePeak, samplePeak, events, samples };
}

function meter(x: Float32Array, fs: number, block: number, overThreshold?: number): TruePeakMeter {
  const m = new TruePeakMeter({ sampleRate: fs, channels: 1, overThreshold });
  for (let i = 0; i < x.length; i += block) m.process([x.subarray(i, Math.min(x.length, i + block))]);
  return m;
}

/** Signals that stress different parts of the bound: noise, low-frequency, edges, overs. */
const SIGNALS: Record<string, (fs: number) => Float32Array> = {
  'white noise (24-bit grid)': (fs) => {
    const r = lcg(1);
    return Float32Array.from({ length: fs }, () => round(0.5 * r() * 2 ** 23) / 2 ** 23);
  },
  'music-like: partials, envelope, kick, hats (16-bit grid)': (fs) => {
    const r = lcg(2);
    const n = fs;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / fs;
      const env = 0.3 + 0.7 * Math.abs(sin(2 * PI * 1.3 * t)) ** 3;
      let v = 0;
      for (let h = 1; h <= 6; h++) v += (0.2 / h) * sin(2 * PI * 220 * h * t + h);
      const beat = i % round(fs / 2);
      v += 0.5 * Math.exp(-beat / 2000) * sin(2 * PI * 55 * t);
      if (beat < 2000) v += 0.1 * Math.exp(-beat / 300) * r();
      x[i] = round(env * v * 32767) / 32768;
    }
    return x;
  },
  'low-frequency noise near full scale (a loud master)': (fs) => {
    const r = lcg(3);
    let a = 0;
    return Float32Array.from({ length: fs }, () => {
      a = 0.97 * a + r();
      return Math.tanh(0.8 * a);
    });
  },
  'alternating-sign bursts (largest inter-sample gain) and silence': (fs) => {
    const x = new Float32Array(fs);
    for (let i = 0; i < fs; i++) {
      const k = i % 4000;
      if (k < 40) x[i] = (k % 2 === 0 ? 0.4 : -0.4) * (1 + k / 40);
      else if (k < 600) x[i] = 0.3 * sin((2 * PI * 11025 * i) / fs + 0.7);
    }
    return x;
  },
  'bursts of a 9 kHz tone, each a little louder, random phase (every new peak just above the last)': (fs) => {
    const r = lcg(4);
    const x = new Float32Array(fs);
    for (let b = 0; b * 2000 < fs; b++) {
      const a = 0.5 + 0.002 * b;
      const phase = 2 * PI * r();
      for (let i = 0; i < 600 && b * 2000 + i < fs; i++)
        x[b * 2000 + i] = a * sin((2 * PI * 9000 * i) / fs + phase);
    }
    return x;
  },
  'steady 5.3 and 13.7 kHz tones with 1e-6 noise (thousands of near-equal crests, any phase)': (fs) => {
    const r = lcg(5);
    const x = new Float32Array(fs);
    for (let i = 0; i < fs; i++) {
      const f = i < fs / 2 ? 5300 : 13700;
      x[i] = 0.7 * sin((2 * PI * f * i) / fs) + 1e-6 * r();
    }
    return x;
  },
  'a 1.1 FFS sine at fs/4, 45 degrees, in bursts (overs)': (fs) => {
    const x = new Float32Array(fs / 2);
    for (let i = 0; i < x.length; i++) x[i] = (i % 3000 < 1500 ? 1.1 : 0.2) * sin((2 * PI * i) / 4 + PI / 4);
    return x;
  },
};

const BLOCKS = [1, 7, 32, 33, 1000, 4096, 1 << 30];

describe('TruePeakMeter: exact skipping equals evaluating every oversampled value', () => {
  for (const fs of [44100, 96000]) {
    for (const [name, make] of Object.entries(SIGNALS)) {
      it(`${fs} Hz, ${name}: same true peak (to the bit), sample peak and overs for every block size`, () => {
        const x = make(fs);
        const ref = reference(x, fs);
        for (const block of BLOCKS) {
          const m = meter(x, fs, block);
          expect([block, m.truePeaks()[0]]).toEqual([block, ref.truePeak]);
          expect([block, m.samplePeaks()[0]]).toEqual([block, ref.samplePeak]);
          expect([block, m.oversPerChannel()[0]]).toEqual([
            block,
            { events: ref.events, samples: ref.samples },
          ]);
        }
      });
    }
  }

  for (const fs of [44100, 96000]) {
    it(`${fs} Hz: a peak just above the running maximum is never skipped (300 random windows)`, () => {
      // A spike sets the running maximum to 1 - 1e-7 of the window's true peak; every bound
      // that underestimates any phase at any position by more than that would skip the peak.
      // Every fourth window follows the signs of one phase's taps (with small random errors):
      // the output of that phase reaches L1 max|x|, where the bounds are tight.
      const it = designTruePeakInterpolator(truePeakOversampling(fs));
      const r = lcg(fs);
      let tested = 0;
      for (let trial = 0; trial < 300; trial++) {
        const w = new Float32Array(24);
        if (trial % 4 === 0) {
          const p = trial % (it.factor - 1);
          const o = 4 + (trial % 5);
          for (let j = 0; j < 16; j++)
            w[o + j] = (it.coefficients[p * 16 + j] > 0 ? 0.5 : -0.5) * (1 + 1e-3 * r());
        } else {
          const smooth = [0, 0.5, 0.9][trial % 3];
          let a = 0;
          for (let i = 0; i < w.length; i++) {
            a = smooth * a + r();
            w[i] = a;
          }
        }
        const peak = reference(w, fs).truePeak;
        let sampleMax = 0;
        for (const v of w) sampleMax = Math.max(sampleMax, Math.abs(v));
        const spike = Math.fround(peak * (1 - 1e-7));
        if (!(spike > sampleMax && spike < peak)) continue;
        const x = new Float32Array(160);
        x[0] = spike;
        x.set(w, 64);
        for (const block of [1, 160])
          expect([trial, block, meter(x, fs, block).truePeaks()[0]]).toEqual([trial, block, peak]);
        tested++;
      }
      expect(tested).toBeGreaterThan(100);
    });
  }

  it('counts overs above a lower threshold exactly (skips are tested against the threshold too)', () => {
    const fs = 48000;
    const x = SIGNALS['music-like: partials, envelope, kick, hats (16-bit grid)'](fs);
    const ref = reference(x, fs, 0.3);
    expect(ref.events).toBeGreaterThan(10);
    for (const block of [7, 4096]) {
      const m = meter(x, fs, block, 0.3);
      expect(m.truePeaks()[0]).toBe(ref.truePeak);
      expect(m.oversPerChannel()[0]).toEqual({ events: ref.events, samples: ref.samples });
    }
  });

  it('ignores NaN samples: outputs whose window holds one are never a maximum, the rest count', () => {
    const fs = 44100;
    const x = Float32Array.from(SIGNALS['white noise (24-bit grid)'](fs).subarray(0, 20000));
    x.fill(0, 4900, 5100);
    const clean = Float32Array.from(x);
    x[5000] = NaN;
    x[12000] = 0.9;
    clean[12000] = 0.9;
    const m = meter(x, fs, 4096);
    expect(m.samplePeaks()[0]).toBe(Math.fround(0.9));
    // In `clean` the outputs around the NaN read 0, so both peaks are the same value.
    expect(m.truePeaks()[0]).toBe(reference(clean, fs).truePeak);
  });
});

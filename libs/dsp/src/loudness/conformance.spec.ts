/**
 * EBU Tech 3341 (cases 1-23) and Tech 3342 (cases 1-6) minimum-requirement tests, with every
 * signal defined by formula synthesised here (all but the two authentic programmes, 3341 #7/#8 =
 * 3342 #5/#6, which tests/conformance/ebu-official-files.spec.ts reads when the EBU files are
 * present). Signals follow Tech 3341 §2.9: 48 kHz, stereo unless noted, "dBFS" is the peak level
 * of a 1 kHz sine applied in phase to both channels. Tolerances are the standard's: +-0.1 LU for
 * M/S/I, +-1 LU for LRA, +0.2/-0.4 dB for true peak.
 */
import { LoudnessMeter, type LoudnessMeterOptions, type LoudnessResult } from './meter';

const FS = 48000;
// Module-level aliases: a Math.* lookup per sample is slow inside jest's vm sandbox.
const { sin, cos, PI } = Math;

/** One piece of a test sequence: `seconds` of a 1 kHz sine at `dbfs` peak (null = silence). */
type Piece = [seconds: number, dbfs: number | null];

/** Concatenates tone pieces into a planar signal (same samples on `channels` channels). */
function tones(pieces: Piece[], channels = 2, fs = FS): Float32Array[] {
  const total = pieces.reduce((n, [s]) => n + Math.round(s * fs), 0);
  const x = new Float32Array(total);
  let o = 0;
  for (const [seconds, dbfs] of pieces) {
    const n = Math.round(seconds * fs);
    if (dbfs !== null) {
      const a = Math.pow(10, dbfs / 20);
      for (let i = 0; i < n; i++) x[o + i] = a * sin((2 * PI * 1000 * i) / fs);
    }
    o += n;
  }
  return Array.from({ length: channels }, () => x.slice());
}

/** Feeds a signal in blocks of an awkward size (streaming, not block-aligned) and returns the result. */
function measure(
  signal: Float32Array[],
  options: Partial<LoudnessMeterOptions> = {},
  block = 1013,
): LoudnessResult {
  const meter = new LoudnessMeter({ sampleRate: FS, channels: signal.length, ...options });
  feed(meter, signal, block);
  return meter.result();
}

function feed(meter: LoudnessMeter, signal: Float32Array[], block = 1013): void {
  const n = signal[0].length;
  for (let i = 0; i < n; i += block) meter.process(signal.map((c) => c.subarray(i, Math.min(n, i + block))));
}

function expectWithin(value: number | null | undefined, expected: number, tolerance: number): void {
  expectBetween(value, expected - tolerance, expected + tolerance);
}

function expectBetween(value: number | null | undefined, low: number, high: number): void {
  expect(value).not.toBeNull();
  expect(value).not.toBeUndefined();
  expect(value).toBeGreaterThanOrEqual(low - 1e-9);
  expect(value).toBeLessThanOrEqual(high + 1e-9);
}

/** Stereo sine for the true-peak cases, with 10 ms raised-cosine fade in and out. */
function truePeakSine(freq: number, amplitude: number, phaseDegrees: number, seconds = 1): Float32Array[] {
  const n = Math.round(seconds * FS);
  const fade = Math.round(0.01 * FS);
  const x = new Float32Array(n);
  const phi = (phaseDegrees * Math.PI) / 180;
  for (let i = 0; i < n; i++) {
    const g =
      i < fade
        ? 0.5 - 0.5 * cos((PI * i) / fade)
        : i >= n - fade
          ? 0.5 - 0.5 * cos((PI * (n - 1 - i)) / fade)
          : 1;
    x[i] = g * amplitude * sin((2 * PI * freq * i) / FS + phi);
  }
  return [x, x.slice()];
}

/**
 * Tech 3341 #20-23: a 0.50 FFS sine at fs/6 containing a single period of a 1.00 FFS sine at fs/4,
 * continuous in phase on both sides, synthesised at 4 fs, anti-alias low-passed (Kaiser-windowed
 * sinc, cut-off 21 kHz, 511 taps at 192 kHz) and decimated to fs starting at `offset`.
 */
function burstSignal(offset: number, seconds = 0.5): Float32Array[] {
  const up = 4 * FS;
  const n4 = Math.round(seconds * up) + 1024;
  const burstStart = 24 * Math.round(n4 / 2 / 24); // an upward zero crossing of the fs/6 sine
  const burstLen = 16; // one period of fs/4 at 4 fs
  const hi = new Float64Array(n4);
  for (let i = 0; i < n4; i++) {
    if (i < burstStart) hi[i] = 0.5 * sin((2 * PI * (FS / 6) * i) / up);
    else if (i < burstStart + burstLen) hi[i] = sin((2 * PI * (FS / 4) * (i - burstStart)) / up);
    else hi[i] = 0.5 * sin((2 * PI * (FS / 6) * (i - burstLen)) / up);
  }
  const taps = 511;
  const h = new Float64Array(taps);
  const fc = 21000 / up;
  const beta = 8;
  const i0 = (x: number): number => {
    let s = 1;
    let t = 1;
    for (let k = 1; k < 40; k++) {
      t *= (x / (2 * k)) ** 2;
      s += t;
    }
    return s;
  };
  let sum = 0;
  for (let j = 0; j < taps; j++) {
    const m = j - (taps - 1) / 2;
    const r = m / ((taps - 1) / 2);
    const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
    h[j] = (sinc * i0(beta * Math.sqrt(1 - r * r))) / i0(beta);
    sum += h[j];
  }
  for (let j = 0; j < taps; j++) h[j] /= sum;
  const frames = Math.floor((n4 - taps - offset) / 4);
  const x = new Float32Array(frames);
  const fade = Math.round(0.01 * FS);
  for (let k = 0; k < frames; k++) {
    const start = 4 * k + offset;
    let y = 0;
    for (let j = 0; j < taps; j++) y += h[j] * hi[start + j];
    const g = k < fade ? k / fade : k >= frames - fade ? (frames - 1 - k) / fade : 1;
    x[k] = g * y;
  }
  return [x, x.slice()];
}

describe('EBU Tech 3341 (loudness meter minimum requirements), synthesised at 48 kHz', () => {
  describe('case 1: stereo 1 kHz sine at -23.0 dBFS, 20 s', () => {
    const r = measure(tones([[20, -23]]));
    it('M (max momentary) = -23.0 +-0.1 LUFS', () => expectWithin(r.momentaryMaxLufs, -23, 0.1));
    it('S (max short-term) = -23.0 +-0.1 LUFS', () => expectWithin(r.shortTermMaxLufs, -23, 0.1));
    it('I = -23.0 +-0.1 LUFS', () => expectWithin(r.integratedLufs, -23, 0.1));
  });

  describe('case 2: stereo 1 kHz sine at -33.0 dBFS, 20 s', () => {
    const r = measure(tones([[20, -33]]));
    it('M (max momentary) = -33.0 +-0.1 LUFS', () => expectWithin(r.momentaryMaxLufs, -33, 0.1));
    it('S (max short-term) = -33.0 +-0.1 LUFS', () => expectWithin(r.shortTermMaxLufs, -33, 0.1));
    it('I = -33.0 +-0.1 LUFS', () => expectWithin(r.integratedLufs, -33, 0.1));
  });

  it('case 3: 10 s @ -36, 60 s @ -23, 10 s @ -36 dBFS: I = -23.0 +-0.1 LUFS', () => {
    const r = measure(
      tones([
        [10, -36],
        [60, -23],
        [10, -36],
      ]),
    );
    expectWithin(r.integratedLufs, -23, 0.1);
  });

  it('case 4: 10 s @ -72, 10 s @ -36, 60 s @ -23, 10 s @ -36, 10 s @ -72 dBFS: I = -23.0 +-0.1 LUFS', () => {
    const r = measure(
      tones([
        [10, -72],
        [10, -36],
        [60, -23],
        [10, -36],
        [10, -72],
      ]),
    );
    expectWithin(r.integratedLufs, -23, 0.1);
  });

  it('case 5: 20 s @ -26, 20.1 s @ -20, 20 s @ -26 dBFS: I = -23.0 +-0.1 LUFS', () => {
    const r = measure(
      tones([
        [20, -26],
        [20.1, -20],
        [20, -26],
      ]),
    );
    expectWithin(r.integratedLufs, -23, 0.1);
  });

  it('case 6: 5.0 sine, L/R -28, C -24, Ls/Rs -30 dBFS, 20 s: I = -23.0 +-0.1 LUFS', () => {
    const [l] = tones([[20, -28]], 1);
    const [c] = tones([[20, -24]], 1);
    const [s] = tones([[20, -30]], 1);
    const r = measure([l, l.slice(), c, s, s.slice()]);
    expectWithin(r.integratedLufs, -23, 0.1);
  });

  it('case 6 (6-channel version, silent LFE in 4th position): I = -23.0 +-0.1 LUFS', () => {
    const [l] = tones([[20, -28]], 1);
    const [c] = tones([[20, -24]], 1);
    const [s] = tones([[20, -30]], 1);
    const r = measure([l, l.slice(), c, new Float32Array(l.length), s, s.slice()]);
    expectWithin(r.integratedLufs, -23, 0.1);
  });

  describe('case 9: (1.34 s @ -20, 1.66 s @ -30 dBFS) x 5', () => {
    const pieces: Piece[] = [];
    for (let i = 0; i < 5; i++) pieces.push([1.34, -20], [1.66, -30]);
    const r = measure(tones(pieces), { series: true });
    it('S = -23.0 +-0.1 LUFS at every 10 Hz reading after 3 s', () => {
      const after = r.shortTermSeries!.slice(29);
      expect(after.length).toBeGreaterThan(100);
      for (const v of after) expectWithin(v, -23, 0.1);
    });
    it('max S = -23.0 +-0.1 LUFS', () => expectWithin(r.shortTermMaxLufs, -23, 0.1));
  });

  describe('case 10 (file-based): i x 0.15 s silence, 3 s @ -23 dBFS, 1 s silence', () => {
    for (let i = 0; i < 20; i++) {
      it(`segment ${i + 1} (${(i * 0.15).toFixed(2)} s lead-in): max S = -23.0 +-0.1 LUFS`, () => {
        const r = measure(
          tones([
            [i * 0.15, null],
            [3, -23],
            [1, null],
          ]),
        );
        expectWithin(r.shortTermMaxLufs, -23, 0.1);
      });
    }
  });

  describe('case 11 (live): 20 tones, i x 0.15 s silence, 3 s @ (-38 + i) dBFS, (3 - i x 0.15) s silence', () => {
    // One continuous meter; the levels rise, so the running max S after each segment is that segment's max.
    const meter = new LoudnessMeter({ sampleRate: FS, channels: 2 });
    const maxima: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      feed(
        meter,
        tones([
          [i * 0.15, null],
          [3, -38 + i],
          [3 - i * 0.15, null],
        ]),
      );
      maxima.push(meter.result().shortTermMaxLufs);
    }
    for (let i = 0; i < 20; i++) {
      it(`tone ${i + 1}: max S = ${-38 + i}.0 +-0.1 LUFS`, () => expectWithin(maxima[i], -38 + i, 0.1));
    }
  });

  describe('case 12: (0.18 s @ -20, 0.22 s @ -30 dBFS) x 25', () => {
    const pieces: Piece[] = [];
    for (let i = 0; i < 25; i++) pieces.push([0.18, -20], [0.22, -30]);
    const r = measure(tones(pieces), { series: true });
    it('M = -23.0 +-0.1 LUFS at every 10 Hz reading after 1 s', () => {
      const after = r.momentarySeries!.slice(9);
      expect(after.length).toBeGreaterThan(80);
      for (const v of after) expectWithin(v, -23, 0.1);
    });
    it('max M = -23.0 +-0.1 LUFS', () => expectWithin(r.momentaryMaxLufs, -23, 0.1));
  });

  describe('case 13 (file-based): i x 20 ms silence, 400 ms @ -23 dBFS, 1 s silence', () => {
    for (let i = 0; i < 20; i++) {
      it(`segment ${i + 1} (${i * 20} ms lead-in): max M = -23.0 +-0.1 LUFS`, () => {
        const r = measure(
          tones([
            [i * 0.02, null],
            [0.4, -23],
            [1, null],
          ]),
        );
        expectWithin(r.momentaryMaxLufs, -23, 0.1);
      });
    }
  });

  describe('case 14 (live): 20 tones, i x 20 ms silence, 400 ms @ (-38 + i) dBFS, (400 - i x 20) ms silence', () => {
    const meter = new LoudnessMeter({ sampleRate: FS, channels: 2 });
    const maxima: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      feed(
        meter,
        tones([
          [i * 0.02, null],
          [0.4, -38 + i],
          [0.4 - i * 0.02, null],
        ]),
        257,
      );
      maxima.push(meter.result().momentaryMaxLufs);
    }
    for (let i = 0; i < 20; i++) {
      it(`tone ${i + 1}: max M = ${-38 + i}.0 +-0.1 LUFS`, () => expectWithin(maxima[i], -38 + i, 0.1));
    }
  });

  const tp: [number, string, number, number, number, number][] = [
    [15, 'fs/4, 0.50 FFS, phase 0.0', FS / 4, 0.5, 0, -6],
    [16, 'fs/4, 0.50 FFS, phase 45.0', FS / 4, 0.5, 45, -6],
    [17, 'fs/6, 0.50 FFS, phase 60.0', FS / 6, 0.5, 60, -6],
    [18, 'fs/8, 0.50 FFS, phase 67.5', FS / 8, 0.5, 67.5, -6],
    [19, 'fs/4, 1.41 FFS, phase 45.0', FS / 4, 1.41, 45, 3],
  ];
  for (const [id, label, freq, amp, phase, expected] of tp) {
    it(`case ${id}: stereo sine ${label} deg: max true peak = ${expected.toFixed(1)} +0.2/-0.4 dBTP`, () => {
      const r = measure(truePeakSine(freq, amp, phase));
      expectBetween(r.truePeakDbtp, expected - 0.4, expected + 0.2);
    });
  }

  for (let offset = 0; offset < 4; offset++) {
    it(`case ${20 + offset}: fs/6 sine with one fs/4 period at 1.00 FFS, decimated with offset ${offset}: max true peak = 0.0 +0.2/-0.4 dBTP`, () => {
      const r = measure(burstSignal(offset));
      expectBetween(r.truePeakDbtp, -0.4, 0.2);
    });
  }
});

describe('EBU Tech 3342 (loudness range), synthesised at 48 kHz', () => {
  const lra: [number, Piece[], number][] = [
    [
      1,
      [
        [20, -20],
        [20, -30],
      ],
      10,
    ],
    [
      2,
      [
        [20, -20],
        [20, -15],
      ],
      5,
    ],
    [
      3,
      [
        [20, -40],
        [20, -20],
      ],
      20,
    ],
    [
      4,
      [
        [20, -50],
        [20, -35],
        [20, -20],
        [20, -35],
        [20, -50],
      ],
      15,
    ],
  ];
  for (const [id, pieces, expected] of lra) {
    const levels = pieces.map(([, db]) => db).join(', ');
    it(`case ${id}: 20 s tones at ${levels} dBFS: LRA = ${expected} +-1 LU`, () => {
      const r = measure(tones(pieces));
      expectWithin(r.loudnessRangeLu, expected, 1);
    });
  }
  it('case 1 repeated twice in full: LRA unchanged, 10 +-1 LU', () => {
    const once: Piece[] = [
      [20, -20],
      [20, -30],
    ];
    const r = measure(tones([...once, ...once]));
    expectWithin(r.loudnessRangeLu, 10, 1);
  });
});

describe('beyond the EBU cases', () => {
  for (const fs of [8000, 11025, 22050, 32000, 44100, 88200, 96000, 176400, 192000, 384000]) {
    it(`1 kHz stereo sine at -23 dBFS sampled at ${fs} Hz: I, M, S = -23.0 +-0.1 LUFS`, () => {
      const signal = tones([[fs >= 176400 ? 4 : 10, -23]], 2, fs);
      const meter = new LoudnessMeter({ sampleRate: fs, channels: 2 });
      feed(meter, signal, 4096);
      const r = meter.result();
      expectWithin(r.integratedLufs, -23, 0.1);
      expectWithin(r.momentaryMaxLufs, -23, 0.1);
      expectWithin(r.shortTermMaxLufs, -23, 0.1);
    });
  }

  it('5.1 (L R C LFE Ls Rs): a loud LFE channel does not change I = -23.0 +-0.1 LUFS of case 6', () => {
    const [l] = tones([[10, -28]], 1);
    const [c] = tones([[10, -24]], 1);
    const [s] = tones([[10, -30]], 1);
    const lfe = new Float32Array(l.length);
    for (let i = 0; i < lfe.length; i++) lfe[i] = 0.9 * sin((2 * PI * 60 * i) / FS);
    const r = measure([l, l.slice(), c, lfe, s, s.slice()]);
    expectWithin(r.integratedLufs, -23, 0.1);
    expectWithin(r.channels[3].truePeakDbtp, 20 * Math.log10(0.9), 0.05);
  });

  it('mono 1 kHz sine at -23 dBFS: I = -26.0 +-0.1 LUFS (one channel carries half the power of the stereo case)', () => {
    const r = measure(tones([[10, -23]], 1));
    expectWithin(r.integratedLufs, -26.01, 0.1);
  });

  it('an explicit layout weights surrounds by 1.41: a sine only in Ls reads 10 log10(1.41) dB above the same sine in L', () => {
    const [x] = tones([[5, -20]], 1);
    const zero = new Float32Array(x.length);
    const front = measure([x, zero, zero.slice()], { layout: ['L', 'R', 'Ls'] });
    const surround = measure([zero, zero.slice(), x], { layout: ['L', 'R', 'Ls'] });
    expectWithin(surround.integratedLufs! - front.integratedLufs!, 10 * Math.log10(1.41), 0.01);
  });
});

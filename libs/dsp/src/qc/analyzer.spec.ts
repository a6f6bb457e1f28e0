import { LoudnessMeter } from '../loudness/meter';
import { QcAnalyzer, type QcAnalyzerOptions, type QcFigures } from './analyzer';
import { qcFindings, type QcFinding } from './findings';

const { sin, cos, PI, sqrt, abs } = Math;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function noise(n: number, gain: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = gain * rnd();
  return x;
}

/** Partly correlated stereo noise (correlation about 0.6). */
function stereoNoise(fs: number, seconds: number, gain = 0.3, seed = 1): Float32Array[] {
  const n = Math.round(fs * seconds);
  const a = noise(n, gain, seed);
  const b = noise(n, gain, seed + 1);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) r[i] = 0.8 * a[i] + 0.5 * b[i];
  return [a, r];
}

/** Linear-phase low-pass (Blackman-windowed sinc) of noise: a steep, clean band limit. */
function lowPassedNoise(fs: number, seconds: number, cutoffHz: number, seed = 3, taps = 401): Float32Array {
  const n = Math.round(fs * seconds);
  const x = noise(n + taps, 0.5, seed);
  const h = new Float64Array(taps);
  const fc = cutoffHz / fs;
  const mid = (taps - 1) / 2;
  for (let j = 0; j < taps; j++) {
    const m = j - mid;
    const w = 0.42 - 0.5 * cos((2 * PI * j) / (taps - 1)) + 0.08 * cos((4 * PI * j) / (taps - 1));
    h[j] = (m === 0 ? 2 * fc : sin(2 * PI * fc * m) / (PI * m)) * w;
  }
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < taps; j++) s += h[j] * x[i + j];
    y[i] = s;
  }
  return y;
}

function analyse(
  signal: Float32Array[],
  fs: number,
  options: Partial<QcAnalyzerOptions> = {},
  block = 4096,
): QcFigures {
  const qc = new QcAnalyzer({ sampleRate: fs, channels: signal.length, ...options });
  const n = signal[0].length;
  for (let i = 0; i < n; i += block) qc.process(signal.map((c) => c.subarray(i, Math.min(n, i + block))));
  return qc.result();
}

function finding(figures: QcFigures, code: QcFinding['code']): QcFinding {
  const f = qcFindings(figures).find((x) => x.code === code);
  if (!f) throw new Error(`no ${code} finding`);
  return f;
}

const FS = 44100;

describe('QcAnalyzer: clipping', () => {
  it('counts runs of 3+ samples at full scale in a sine clipped at 1.0, per channel', () => {
    const n = FS;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.max(-1, Math.min(1, 1.5 * sin((2 * PI * 100 * i) / FS)));
    const f = analyse([x, new Float32Array(n)], FS);
    // 100 Hz for 1 s: 200 flat tops (positive and negative), none on the silent channel.
    expect(f.clipping.perChannel[0].runs).toBe(200);
    expect(f.clipping.perChannel[1].runs).toBe(0);
    expect(f.clipping.samples).toBeGreaterThan(200 * 3);
    expect(finding(f, 'clipping').severity).toBe('fail');
  });

  it('ignores a 2-sample touch of full scale (shorter than the 3-sample minimum run)', () => {
    const x = noise(FS, 0.5, 1);
    x[1000] = 1;
    x[1001] = 1;
    expect(analyse([x], FS).clipping.runs).toBe(0);
  });

  it('counts a run that is still open at the end of the stream', () => {
    const x = noise(FS, 0.5, 1);
    x.fill(1, FS - 10);
    expect(analyse([x], FS).clipping.runs).toBe(1);
  });
});

describe('QcAnalyzer: inter-sample overs', () => {
  const x = new Float32Array(4800).map((_, i) => 1.2 * sin((2 * PI * i) / 4 + PI / 4));
  it('reads the overs from a shared meter fed the same blocks', () => {
    const meter = new LoudnessMeter({ sampleRate: 48000, channels: 1 });
    const qc = new QcAnalyzer({ sampleRate: 48000, channels: 1, meter });
    meter.process([x]);
    qc.process([x]);
    expect(qc.result().interSampleOvers.events).toBeGreaterThan(2000);
  });
  it('counts the same overs with its own meter', () => {
    const meter = new LoudnessMeter({ sampleRate: 48000, channels: 1 });
    meter.process([x]);
    expect(analyse([x], 48000).interSampleOvers.events).toBe(meter.interSampleOvers()[0].events);
  });
  it('turns overs into a failing finding', () => {
    expect(finding(analyse([x], 48000), 'intersample-overs').severity).toBe('fail');
  });
  it('refuses a shared meter of another format', () => {
    const meter = new LoudnessMeter({ sampleRate: 44100, channels: 1 });
    expect(() => new QcAnalyzer({ sampleRate: 48000, channels: 1, meter })).toThrow(RangeError);
  });
});

describe('QcAnalyzer: DC offset', () => {
  it('measures +0.01 of DC on the left channel as -40 dBFS and warns', () => {
    const [l, r] = stereoNoise(FS, 1);
    const dc = l.map((v) => v + 0.01);
    const f = analyse([dc, r], FS);
    expect(abs(f.dcOffset.perChannel[0] - 0.01)).toBeLessThan(0.002);
    expect(abs(f.dcOffset.maxDbfs! + 40)).toBeLessThan(1.5);
    expect(finding(f, 'dc-offset').severity).toBe('warn');
  });
  it('passes noise without DC', () => {
    expect(finding(analyse(stereoNoise(FS, 1), FS), 'dc-offset').severity).toBe('pass');
  });
});

describe('QcAnalyzer: phase correlation and mono compatibility', () => {
  it('correlated noise: mean correlation about 0.85, passing', () => {
    const f = analyse(stereoNoise(FS, 2), FS);
    expect(abs(f.phase!.meanCorrelation! - 0.8 / sqrt(0.89))).toBeLessThan(0.05);
    expect(finding(f, 'phase').severity).toBe('pass');
  });
  it('finds the worst window: a 1 s polarity-inverted stretch in the middle reads about -0.85 around 1.5 s', () => {
    const [l, r] = stereoNoise(FS, 4);
    for (let i = 1.5 * FS; i < 2.5 * FS; i++) r[i] = -r[i];
    const f = analyse([l, r], FS);
    expect(f.phase!.worstWindowCorrelation!).toBeLessThan(-0.8);
    expect(f.phase!.worstWindowStartSeconds!).toBeGreaterThanOrEqual(1.4);
    expect(f.phase!.worstWindowStartSeconds!).toBeLessThanOrEqual(2.2);
    expect(finding(f, 'phase').severity).toBe('warn');
  });
  it('uncorrelated channels: mono fold-down 3.0 +-0.2 LU quieter', () => {
    const n = 3 * FS;
    const f = analyse([noise(n, 0.3, 1), noise(n, 0.3, 2)], FS);
    expect(abs(f.monoCompatibility!.dropLu! - 3.01)).toBeLessThan(0.2);
    expect(finding(f, 'mono-compat').severity).toBe('warn');
  });
  it('mostly anti-phase channels: mono fold-down drop above 6 LU fails', () => {
    const [l, r] = stereoNoise(FS, 3);
    const f = analyse([l, r.map((v) => -v)], FS);
    expect(f.monoCompatibility!.dropLu!).toBeGreaterThan(6);
    expect(finding(f, 'mono-compat').severity).toBe('fail');
  });
  it('has no phase, mono or stereo figures for mono input', () => {
    const f = analyse([noise(FS, 0.3, 1)], FS);
    expect(f.phase).toBeNull();
    expect(f.monoCompatibility).toBeNull();
    expect(f.stereo).toBeNull();
    expect(qcFindings(f).map((x) => x.code)).not.toContain('phase');
  });
});

describe('QcAnalyzer: dual mono and polarity', () => {
  const [l] = stereoNoise(FS, 1);
  it('L == R is dual mono (side -200 dB) and warns', () => {
    const f = analyse([l, l.slice()], FS);
    expect(f.stereo!.dualMono).toBe(true);
    expect(f.stereo!.sideToMidDb).toBe(-200);
    expect(finding(f, 'dual-mono').severity).toBe('warn');
  });
  it('L == R with independent LSB dither (-96 dB) is still dual mono', () => {
    const d1 = noise(l.length, 2 / 32768, 8);
    const d2 = noise(l.length, 2 / 32768, 9);
    const f = analyse([l.map((v, i) => v + d1[i]), l.map((v, i) => v + d2[i])], FS);
    expect(f.stereo!.dualMono).toBe(true);
  });
  it('L == -R is polarity-inverted and fails', () => {
    const f = analyse([l, l.map((v) => -v)], FS);
    expect(f.stereo!.polarityInverted).toBe(true);
    expect(finding(f, 'polarity').severity).toBe('fail');
  });
  it('real stereo is neither', () => {
    const f = analyse(stereoNoise(FS, 1), FS);
    expect(f.stereo!.dualMono).toBe(false);
    expect(f.stereo!.polarityInverted).toBe(false);
  });
});

describe('QcAnalyzer: silence', () => {
  it('measures 1.5 s leading and 3 s trailing silence (a -70 dBFS tail counts as silence)', () => {
    const lead = 1.5 * FS;
    const body = 2 * FS;
    const tail = 3 * FS;
    const x = new Float32Array(lead + body + tail);
    x.set(noise(body, 0.5, 4), lead);
    x.set(noise(tail, 2 * 0.000316, 5), lead + body);
    const f = analyse([x, x.slice()], FS);
    expect(abs(f.silence.leadingSeconds - 1.5)).toBeLessThan(0.001);
    expect(abs(f.silence.trailingSeconds - 3)).toBeLessThan(0.001);
    expect(finding(f, 'leading-silence').severity).toBe('pass');
    expect(finding(f, 'trailing-silence').severity).toBe('pass');
  });
  it('all silence: leading and trailing silence are the whole duration, and fail', () => {
    const z = new Float32Array(12 * FS);
    const f = analyse([z, z.slice()], FS);
    expect(f.silence.leadingSeconds).toBeCloseTo(12, 6);
    expect(f.silence.trailingSeconds).toBeCloseTo(12, 6);
    expect(finding(f, 'leading-silence').severity).toBe('fail');
  });
  it('lists a 50 ms digital-silence gap at 1.0 s', () => {
    const [l, r] = stereoNoise(FS, 2);
    l.fill(0, FS, FS + 0.05 * FS);
    r.fill(0, FS, FS + 0.05 * FS);
    const f = analyse([l, r], FS, {}, 1000);
    expect(f.silence.gapCount).toBe(1);
    expect(f.silence.gaps[0].startSeconds).toBeCloseTo(1, 4);
    expect(f.silence.gaps[0].durationSeconds).toBeCloseTo(0.05, 4);
    expect(finding(f, 'silence-gap').severity).toBe('warn');
  });
  it('ignores a 10 ms gap, zeros in one channel only, and zeros at the start or end', () => {
    const [l, r] = stereoNoise(FS, 2);
    l.fill(0, 0, 0.2 * FS);
    r.fill(0, 0, 0.2 * FS);
    l.fill(0, FS, FS + 0.01 * FS);
    r.fill(0, FS, FS + 0.01 * FS);
    l.fill(0, 1.5 * FS, 1.6 * FS);
    l.fill(0, 1.9 * FS);
    r.fill(0, 1.9 * FS);
    expect(analyse([l, r], FS).silence.gapCount).toBe(0);
  });
  it('finds a gap in 5.1 audio (all six channels zero)', () => {
    const chans = Array.from({ length: 6 }, (_, c) => noise(2 * FS, 0.2, 10 + c));
    for (const c of chans) c.fill(0, FS, FS + 0.1 * FS);
    const f = analyse(chans, FS);
    expect(f.silence.gapCount).toBe(1);
    expect(f.silence.gaps[0].durationSeconds).toBeCloseTo(0.1, 4);
  });
});

describe('QcAnalyzer: effective bit depth', () => {
  const quantise = (x: Float32Array, bits: number): Float32Array => {
    const q = 2 ** (bits - 1);
    return x.map((v) => Math.round(v * q) / q);
  };
  const x = noise(FS, 0.5, 2);
  it('finds 16-bit content in a 24-bit container and warns', () => {
    const f = analyse([quantise(x, 16)], FS, { declaredBitDepth: 24 });
    expect(f.bitDepth.effectiveBits).toBe(16);
    expect(finding(f, 'bit-depth').severity).toBe('warn');
  });
  it('finds 16-bit content in a float container', () => {
    expect(analyse([quantise(x, 16)], FS, { declaredBitDepth: 32 }).bitDepth.effectiveBits).toBe(16);
  });
  it('passes 24-bit content in a 24-bit container', () => {
    const f = analyse([quantise(x, 24)], FS, { declaredBitDepth: 24 });
    expect(f.bitDepth.effectiveBits).toBe(24);
    expect(finding(f, 'bit-depth').severity).toBe('pass');
  });
  it('reads float content as 32 (finer than 24 bits)', () => {
    expect(analyse([x], FS).bitDepth.effectiveBits).toBe(32);
  });
  it('has no bit depth for digital silence', () => {
    expect(analyse([new Float32Array(1000)], FS).bitDepth.effectiveBits).toBeNull();
  });
});

describe('QcAnalyzer: bandwidth', () => {
  it('full-band noise at 44.1 kHz: no cutoff, passes', () => {
    const f = analyse([noise(2 * FS, 0.3, 1)], FS);
    expect(f.bandwidth.cutoffHz).toBeNull();
    expect(finding(f, 'bandwidth').severity).toBe('pass');
  });
  it('a brick wall at 16 kHz is found within 500 Hz and looks lossy', () => {
    const f = analyse([lowPassedNoise(FS, 2, 16000)], FS);
    expect(abs(f.bandwidth.cutoffHz! - 16000)).toBeLessThanOrEqual(500);
    expect(finding(f, 'bandwidth').severity).toBe('warn');
    expect(finding(f, 'bandwidth').message).toMatch(/lossy/);
  });
  it('a converter-like wall at 20.5 kHz passes', () => {
    const f = analyse([lowPassedNoise(FS, 2, 20500)], FS);
    expect(finding(f, 'bandwidth').severity).toBe('pass');
  });
  it('96 kHz audio with nothing above 21 kHz looks upsampled', () => {
    const fs = 96000;
    const f = analyse([lowPassedNoise(fs, 1.5, 21000, 3, 801)], fs);
    expect(abs(f.bandwidth.cutoffHz! - 21000)).toBeLessThanOrEqual(1000);
    expect(finding(f, 'bandwidth').message).toMatch(/upsampled/);
  });
  it('a bass-heavy mix (everything above 1 kHz 35 dB down) is not a cutoff', () => {
    const bass = lowPassedNoise(FS, 2, 500);
    const air = noise(bass.length, 0.02, 9);
    const f = analyse([bass.map((v, i) => v + air[i])], FS);
    expect(f.bandwidth.cutoffHz).toBeNull();
  });
  it('genuine 96 kHz noise passes', () => {
    const f = analyse([noise(96000, 0.3, 4)], 96000);
    expect(f.bandwidth.cutoffHz).toBeNull();
  });
});

describe('QcAnalyzer: robustness', () => {
  it('counts NaN and infinite samples and fails them', () => {
    const x = noise(FS, 0.3, 1);
    x[10] = NaN;
    x[20] = Infinity;
    const f = analyse([x, x.slice()], FS);
    expect(f.nonFiniteSamples).toBe(4);
    expect(finding(f, 'non-finite').severity).toBe('fail');
    expect(JSON.stringify(f)).not.toMatch(/NaN|Infinity/);
  });
  it('gives the same figures for block sizes 333 and 4096', () => {
    const signal = stereoNoise(FS, 2);
    signal[0].fill(0, FS, FS + 2000);
    signal[1].fill(0, FS, FS + 2000);
    const a = analyse(signal, FS, {}, 333);
    const b = analyse(signal, FS, {}, 4096);
    expect(a.silence).toEqual(b.silence);
    expect(a.clipping).toEqual(b.clipping);
    expect(a.bitDepth).toEqual(b.bitDepth);
    expect(abs(a.phase!.meanCorrelation! - b.phase!.meanCorrelation!)).toBeLessThan(1e-9);
    expect(a.bandwidth.frames).toBe(b.bandwidth.frames);
  });
  it('reset() starts a new track', () => {
    const qc = new QcAnalyzer({ sampleRate: FS, channels: 1 });
    const x = noise(FS, 0.3, 1);
    x[10] = NaN;
    qc.process([x]);
    qc.reset();
    qc.process([noise(FS, 0.3, 2)]);
    expect(qc.result().nonFiniteSamples).toBe(0);
    expect(qc.result().durationSeconds).toBeCloseTo(1, 9);
  });
  it('refuses bad parameters', () => {
    expect(() => new QcAnalyzer({ sampleRate: 1000, channels: 2 })).toThrow(RangeError);
    expect(() => new QcAnalyzer({ sampleRate: FS, channels: 0 })).toThrow(RangeError);
    expect(() => new QcAnalyzer({ sampleRate: FS, channels: 2, clipMinRun: 0 })).toThrow(RangeError);
  });
});

import { RhythmAnalyzer } from './rhythm-analyzer';
import { HalfbandDecimator, MonoDownsampler, designHalfband } from './resample';

const SR = 44100;

/** Click track: a 1.5 kHz decaying blip per beat, louder on every `accentEvery`-th beat. */
function clickTrack(bpm: number, seconds: number, accentEvery = 4, bpmEnd = bpm): Float32Array[] {
  const n = Math.floor(seconds * SR);
  const x = new Float32Array(n);
  let t = 0.25;
  let i = 0;
  while (t < seconds) {
    const start = Math.floor(t * SR);
    const amp = i % accentEvery === 0 ? 0.9 : 0.5;
    for (let k = 0; k < 0.03 * SR && start + k < n; k++) {
      x[start + k] += amp * Math.exp(-k / (0.006 * SR)) * Math.sin((2 * Math.PI * 1500 * k) / SR);
    }
    const bpmNow = bpm + (bpmEnd - bpm) * (t / seconds);
    t += 60 / bpmNow;
    i++;
  }
  return [x, Float32Array.from(x)];
}

/**
 * Waltz: low "oom" (80 Hz + click) on beat 1, higher "pah-pah" chords on beats 2 and 3, the chord
 * changing every bar, as an oom-pah-pah accompaniment plays it.
 */
function waltz(bpm: number, seconds: number): Float32Array[] {
  const n = Math.floor(seconds * SR);
  const x = new Float32Array(n);
  const beat = 60 / bpm;
  const chords = [
    [261.63, 329.63, 392.0],
    [349.23, 440.0, 523.25],
    [392.0, 493.88, 587.33],
    [261.63, 329.63, 392.0],
  ];
  for (let b = 0; b * beat + 0.2 < seconds; b++) {
    const start = Math.floor((0.2 + b * beat) * SR);
    const bar = Math.floor(b / 3);
    const pos = b % 3;
    const len = Math.floor(0.25 * SR);
    for (let k = 0; k < len && start + k < n; k++) {
      const env = Math.exp(-k / (0.08 * SR));
      if (pos === 0) {
        x[start + k] += 0.8 * env * Math.sin((2 * Math.PI * 80 * k) / SR) + (k < 200 ? 0.3 * Math.sin(k) : 0);
      } else {
        for (const f of chords[bar % chords.length])
          x[start + k] += 0.15 * env * Math.sin((2 * Math.PI * f * k) / SR);
      }
    }
  }
  return [x, Float32Array.from(x)];
}

function analyse(
  channels: Float32Array[],
  block = 65536,
  bpmRange?: [number, number],
  expectedSeconds?: number,
): ReturnType<RhythmAnalyzer['result']> {
  const a = new RhythmAnalyzer({ sampleRate: SR, bpmRange, expectedSeconds });
  for (let i = 0; i < channels[0].length; i += block)
    a.process(channels.map((c) => c.subarray(i, i + block)));
  return a.result();
}

describe('RhythmAnalyzer', () => {
  it('finds 128 BPM in a click track to within 0.5 BPM', () => {
    const r = analyse(clickTrack(128, 20));
    expect(Math.abs(r.tempo.bpm - 128)).toBeLessThanOrEqual(0.5);
    expect(r.tempo.steady).toBe(true);
  });

  it('places beats on the clicks (within 30 ms)', () => {
    const r = analyse(clickTrack(128, 20));
    const period = 60 / 128;
    const inner = r.beats.filter((b) => b > 2 && b < 18);
    expect(inner.length).toBeGreaterThan(25);
    for (const b of inner) {
      const phase = (b - 0.25) / period;
      expect(Math.abs(phase - Math.round(phase)) * period).toBeLessThan(0.03);
    }
  });

  it('gives the same tempo whatever the block size', () => {
    const x = clickTrack(97, 15);
    expect(analyse(x, 1000).tempo.bpm).toBeCloseTo(analyse(x, 65536).tempo.bpm, 5);
  });

  it('gives the same result whether its buffers are sized up front (too short, exact, too long) or not', () => {
    const x = waltz(120, 24);
    const plain = analyse(x, 4096);
    for (const hint of [5, 24, 600]) expect(analyse(x, 4096, undefined, hint)).toEqual(plain);
  });

  it('reports three beats per bar for a waltz', () => {
    const r = analyse(waltz(120, 24));
    expect(Math.abs(r.tempo.bpm - 120)).toBeLessThan(2);
    expect(r.beatsPerBar).toBe(3);
    expect(r.timeSignature).toBe('3/4');
  });

  it('puts the waltz downbeats on the low "oom"', () => {
    const r = analyse(waltz(120, 24));
    const bar = 3 * 0.5;
    const inner = r.downbeats.filter((d) => d > 2 && d < 22);
    expect(inner.length).toBeGreaterThan(5);
    for (const d of inner) {
      const phase = (d - 0.2) / bar;
      expect(Math.abs(phase - Math.round(phase)) * bar).toBeLessThan(0.05);
    }
  });

  it('honours a BPM range by choosing the metrical level inside it', () => {
    const r = analyse(clickTrack(100, 20, 4), 65536, [150, 250]);
    expect(Math.abs(r.tempo.bpm - 200)).toBeLessThan(2);
    expect(r.tempo.candidates.every((c) => c.bpm >= 150 && c.bpm <= 250)).toBe(true);
  });

  it('lists the runner-up metrical levels with their relation', () => {
    const r = analyse(clickTrack(128, 20));
    expect(r.tempo.candidates[0].relation).toBe('primary');
    expect(r.tempo.candidates.some((c) => c.relation === 'half' || c.relation === 'double')).toBe(true);
    expect(r.tempo.confidence).toBeGreaterThan(0);
    expect(r.tempo.confidence).toBeLessThanOrEqual(1);
  });

  it('flags a tempo ramp (100 -> 125 BPM) as not steady and returns a rising curve', () => {
    const r = analyse(clickTrack(100, 40, 4, 125));
    expect(r.tempo.steady).toBe(false);
    const curve = r.tempo.curve ?? [];
    expect(curve.length).toBeGreaterThan(4);
    expect(curve[curve.length - 1].bpm).toBeGreaterThan(curve[0].bpm * 1.1);
  });

  it('reports no tempo for a clip shorter than 2 s', () => {
    const r = analyse(clickTrack(128, 1.5));
    expect(r.tempo.bpm).toBe(0);
    expect(r.tempo.confidence).toBe(0);
    expect(r.beats).toEqual([]);
  });

  it('finds 128 BPM in a 4 s clip but with a lower confidence than in a 20 s one', () => {
    const short = analyse(clickTrack(128, 4));
    const long = analyse(clickTrack(128, 20));
    expect(Math.abs(short.tempo.bpm - 128)).toBeLessThanOrEqual(1);
    expect(short.tempo.confidence).toBeLessThan(0.6 * long.tempo.confidence);
  });

  it('returns no beats for silence', () => {
    const r = analyse([new Float32Array(SR * 5), new Float32Array(SR * 5)]);
    expect(r.beats.length).toBe(0);
  });

  it('rejects an out-of-range sample rate and a BPM range', () => {
    expect(() => new RhythmAnalyzer({ sampleRate: 100 })).toThrow(RangeError);
    expect(() => new RhythmAnalyzer({ sampleRate: SR, bpmRange: [120, 121] })).toThrow(RangeError);
  });
});

describe('HalfbandDecimator', () => {
  const tone = (hz: number, n: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / SR));
  const rmsOf = (x: Float32Array, skip: number): number => {
    let s = 0;
    for (let i = skip; i < x.length; i++) s += x[i] * x[i];
    return Math.sqrt(s / (x.length - skip));
  };

  it('passes a 1 kHz tone at unity gain (within 0.1 dB)', () => {
    const y = new HalfbandDecimator(designHalfband(8, 5)).process(tone(1000, 8192));
    expect(20 * Math.log10(rmsOf(y, 64) / Math.SQRT1_2)).toBeCloseTo(0, 1);
  });

  it('attenuates a tone that would alias into the passband by more than 45 dB', () => {
    const y = new HalfbandDecimator(designHalfband(8, 5)).process(tone(18000, 8192));
    expect(20 * Math.log10(rmsOf(y, 64) / Math.SQRT1_2)).toBeLessThan(-45);
  });

  it('gives the same output for any block split', () => {
    const x = tone(440, 5000);
    const whole = Array.from(new HalfbandDecimator(designHalfband(4, 5.5)).process(x));
    const d = new HalfbandDecimator(designHalfband(4, 5.5));
    const parts = [
      ...d.process(x.subarray(0, 1001)),
      ...d.process(x.subarray(1001, 3000)),
      ...d.process(x.subarray(3000)),
    ];
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i], 6);
  });

  it('downsamples 44.1 kHz stereo to 11025 Hz mono', () => {
    const m = new MonoDownsampler(SR, 11025);
    expect(m.factor).toBe(4);
    expect(m.outputRate).toBe(11025);
    const y = m.process([tone(500, 4096), tone(500, 4096)]);
    expect(Math.abs(y.length - 1024)).toBeLessThanOrEqual(8);
  });
});

import { FINE_BINS } from './chroma';
import { DEFAULT_KEY_METHOD, KeyAnalyzer, KeyChroma, foldFrame, folding } from './key-analyzer';
import { camelotOf, keyRelation, openKeyOf, parseKey, tonicName } from './notation';

const SR = 44100;

/** Harmonic tone (6 partials, 1/k amplitudes) with a soft attack and decay (recursive oscillators). */
function addNote(
  x: Float32Array,
  start: number,
  seconds: number,
  midi: number,
  tuningHz: number,
  gain: number,
): void {
  const f0 = tuningHz * Math.pow(2, (midi - 69) / 12);
  const s = Math.floor(start * SR);
  const n = Math.min(Math.floor(seconds * SR), x.length - s);
  const attack = 0.01 * SR;
  const decay = Math.exp(-1 / (0.8 * SR));
  for (let k = 1; k <= 6 && f0 * k < 0.45 * SR; k++) {
    const w = (2 * Math.PI * f0 * k) / SR;
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = -Math.sin(w);
    let env = gain / k;
    for (let i = 0; i < n; i++) {
      const v = c * s1 - s2;
      s2 = s1;
      s1 = v;
      x[s + i] += (i < attack ? i / attack : 1) * env * v;
      env *= decay;
    }
  }
}

function analyse(x: Float32Array, block = 32768): ReturnType<KeyAnalyzer['result']> {
  const a = new KeyAnalyzer({ sampleRate: SR });
  for (let i = 0; i < x.length; i += block) a.process([x.subarray(i, i + block), x.subarray(i, i + block)]);
  return a.result();
}

/** The scale up and down, twice, ending on the tonic (0.35 s per note). */
function scale(tonicMidi: number, steps: number[], tuningHz = 440): Float32Array {
  const up = [...steps, 12];
  const seq = [...up, ...up.slice(0, -1).reverse()];
  const notes = [...seq, ...seq, 0];
  const x = new Float32Array(Math.ceil((notes.length * 0.35 + 1) * SR));
  notes.forEach((s, i) => addNote(x, i * 0.35, 0.4, tonicMidi + s, tuningHz, 0.3));
  return x;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];

describe('KeyAnalyzer', () => {
  it('finds C major in a C major scale', () => {
    const r = analyse(scale(60, MAJOR));
    expect(r.key.label).toBe('C major');
    expect(r.key.camelot).toBe('8B');
    expect(r.key.openKey).toBe('1d');
  });

  it('gives the same result whatever the block size', () => {
    const x = scale(62, MAJOR);
    const plain = analyse(x);
    for (const block of [1000, 4096, 1 << 20]) expect(analyse(x, block)).toEqual(plain);
  });

  it('reads the chroma at a tuning between its 5-cent grid points as folding at that tuning would', () => {
    // random sparse frames, two regions: the interpolated average against the exact fold
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const method = DEFAULT_KEY_METHOD;
    const frames: Float64Array[] = [];
    for (let t = 0; t < 200; t++) {
      const f = new Float64Array(2 * FINE_BINS);
      for (let p = 0; p < 8; p++) f[Math.floor(rnd() * 2 * FINE_BINS)] += rnd();
      frames.push(f);
    }
    for (const cents of [-47.3, -12.5, 0, 3.3, 21.7, 49.9]) {
      const acc = new KeyChroma(method, 5.4, 2);
      for (const f of frames) acc.add(f);
      const { chroma } = acc.result(cents);
      const exact = new Float64Array(12);
      const c = new Float64Array(12);
      const fold = folding(cents);
      for (const f of frames) {
        foldFrame(f, 0, 2, fold, method.regionWeights, c);
        const m = Math.max(...c);
        if (m > 0) for (let s = 0; s < 12; s++) exact[s] += c[s] / m;
      }
      for (let s = 0; s < 12; s++)
        expect(Math.abs(chroma[s] - exact[s])).toBeLessThan(0.03 * Math.max(...exact));
    }
  });

  it('analyses input at 8, 16, 32 and 64 kHz (power-of-two decimation would leave too little band)', () => {
    for (const sr of [8000, 16000, 32000, 64000]) {
      // C major scale up and down, 0.35 s per note, 6 harmonics below 0.45 sr
      const steps = [0, 2, 4, 5, 7, 9, 11, 12, 11, 9, 7, 5, 4, 2, 0];
      const x = new Float32Array(Math.ceil((steps.length * 0.35 + 1) * sr));
      steps.forEach((st, i) => {
        const f0 = 440 * Math.pow(2, (60 + st - 69) / 12);
        const s0 = Math.floor(i * 0.35 * sr);
        for (let k = 1; k <= 6 && f0 * k < 0.45 * sr; k++)
          for (let j = 0; j < 0.4 * sr && s0 + j < x.length; j++)
            x[s0 + j] += (0.3 / k) * Math.exp(-j / (0.8 * sr)) * Math.sin((2 * Math.PI * f0 * k * j) / sr);
      });
      const a = new KeyAnalyzer({ sampleRate: sr });
      a.process([x]);
      const r = a.result();
      expect([sr, r.key.label]).toEqual([sr, 'C major']);
      expect(Math.abs(r.tuningHz - 440)).toBeLessThan(1);
    }
  });

  it('finds A minor in an A minor triad sequence (i-iv-V-i)', () => {
    const chords = [
      [57, 60, 64],
      [50, 53, 57],
      [52, 56, 59],
      [57, 60, 64],
    ];
    const x = new Float32Array(Math.ceil(17 * SR));
    for (let rep = 0; rep < 4; rep++) {
      chords.forEach((c, i) => {
        for (const m of c) addNote(x, (rep * 4 + i) * 1.0, 1.0, m, 440, 0.2);
        addNote(x, (rep * 4 + i) * 1.0, 1.0, c[0] - 12, 440, 0.2);
      });
    }
    const r = analyse(x);
    expect(r.key.label).toBe('A minor');
    expect(r.key.camelot).toBe('8A');
    expect(r.key.runnerUp.label).not.toBe('A minor');
  });

  /** Four-chord loop, one 2 s bar per chord, twice, with the root doubled an octave below. */
  function loop(chords: number[][]): Float32Array {
    const x = new Float32Array(Math.ceil(17 * SR));
    for (let rep = 0; rep < 2; rep++) {
      chords.forEach((c, i) => {
        for (const m of c) addNote(x, (rep * 4 + i) * 2.0, 2.0, m, 440, 0.2);
        addNote(x, (rep * 4 + i) * 2.0, 2.0, c[0] - 12, 440, 0.2);
      });
    }
    return x;
  }
  const Am = [57, 60, 64];
  const F = [53, 57, 60];
  const C = [48, 52, 55];
  const G = [55, 59, 62];

  it('hears an aeolian loop that opens on its tonic (Am-F-C-G) as A minor', () => {
    expect(analyse(loop([Am, F, C, G])).key.label).toBe('A minor');
  });

  it('finds the opening chord after 20 s of silence (Am-F-C-G still A minor)', () => {
    const music = loop([Am, F, C, G]);
    const x = new Float32Array(20 * SR + music.length);
    x.set(music, 20 * SR);
    expect(analyse(x).key.label).toBe('A minor');
  });

  it('opens where a 6 s fade-in starts, not where it gets loud (Am-F-C-G still A minor)', () => {
    const x = loop([Am, F, C, G]);
    for (let i = 0; i < 6 * SR; i++) x[i] *= i / (6 * SR);
    expect(analyse(x).key.label).toBe('A minor');
  });

  it('hears the same four chords opening on C (C-G-Am-F) as C major', () => {
    expect(analyse(loop([C, G, Am, F])).key.label).toBe('C major');
  });

  it('estimates the tuning of a scale played at A4 = 432 Hz to within 1 Hz, and still its key', () => {
    const r = analyse(scale(62, MAJOR, 432));
    expect(Math.abs(r.tuningHz - 432)).toBeLessThan(1);
    expect(r.key.label).toBe('D major');
  });

  it('reports 440 Hz for a scale tuned to 440 Hz', () => {
    const r = analyse(scale(67, MAJOR));
    expect(Math.abs(r.tuningHz - 440)).toBeLessThan(0.5);
    expect(r.key.label).toBe('G major');
  });

  it('gives a confidence between 0 and 1', () => {
    const r = analyse(scale(60, MAJOR));
    expect(r.key.confidence).toBeGreaterThan(0);
    expect(r.key.confidence).toBeLessThanOrEqual(1);
  });

  it('rejects an out-of-range sample rate', () => {
    expect(() => new KeyAnalyzer({ sampleRate: 10 })).toThrow(RangeError);
  });
});

describe('key notation', () => {
  it('spells tonics as musicians expect', () => {
    expect([1, 3, 6, 8, 10].map(tonicName)).toEqual(['C#', 'Eb', 'F#', 'Ab', 'Bb']);
  });

  it('maps keys to the Camelot wheel and Open Key', () => {
    expect(camelotOf(6, 'minor')).toBe('11A');
    expect(openKeyOf(6, 'minor')).toBe('4m');
    expect(camelotOf(7, 'major')).toBe('9B');
    expect(openKeyOf(9, 'minor')).toBe('1m');
    expect(camelotOf(5, 'major')).toBe('7B');
  });

  it('parses common key spellings', () => {
    expect(parseKey('F# minor')).toEqual({ pitchClass: 6, mode: 'minor' });
    expect(parseKey('Gb major')).toEqual({ pitchClass: 6, mode: 'major' });
    expect(parseKey('Am')).toEqual({ pitchClass: 9, mode: 'minor' });
    expect(parseKey('Bb')).toEqual({ pitchClass: 10, mode: 'major' });
    expect(parseKey('not a key')).toBeNull();
  });

  it('classifies estimate/reference relations as MIREX does', () => {
    const c = parseKey('C major')!;
    expect(keyRelation(parseKey('G major')!, c)).toBe('fifth');
    expect(keyRelation(parseKey('F major')!, c)).toBe('other');
    expect(keyRelation(parseKey('F major')!, c, true)).toBe('fifth');
    expect(keyRelation(parseKey('A minor')!, c)).toBe('relative');
    expect(keyRelation(parseKey('C minor')!, c)).toBe('parallel');
    expect(keyRelation(parseKey('C major')!, c)).toBe('same');
  });
});

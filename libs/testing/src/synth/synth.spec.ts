import { noiseOffset } from './instruments';
import { needsComping, renderPiece, type PieceSpec } from './render';
import { syntheticSet } from './set';
import { Prng, hashSeed } from './prng';
import { PROGRESSIONS, chordSemitones, keyLabel } from './theory';

const base: PieceSpec = {
  id: 'spec-piece',
  seed: 42,
  tonic: 9,
  mode: 'minor',
  bpm: 120,
  timeSignature: '4/4',
  drums: 'backbeat',
  progression: 'i-VI-III-VII',
  tuningHz: 440,
  durationSeconds: 6,
  tempoVariation: 'steady',
  split: 'tune',
};

function checksum(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i += 7) s += x[i] * ((i % 13) + 1);
  return s;
}

describe('synthetic renderer', () => {
  it('renders the same samples for the same spec', () => {
    const a = renderPiece(base);
    const b = renderPiece(base);
    expect(checksum(a.channels[0])).toBe(checksum(b.channels[0]));
    expect(checksum(a.channels[1])).toBe(checksum(b.channels[1]));
  });

  it('renders one part alone as a stem when asked (a lead solo has no kick and no bass)', () => {
    const low = (x: Float32Array): number => {
      // energy below about 100 Hz: a one-pole low-pass at 44.1 kHz
      let y = 0;
      let e = 0;
      for (let i = 0; i < x.length; i++) {
        y += 0.014 * (x[i] - y);
        e += y * y;
      }
      return e;
    };
    const energy = (x: Float32Array): number => x.reduce((a, v) => a + v * v, 0);
    const full = renderPiece(base).channels[0];
    const lead = renderPiece({ ...base, solo: 'lead' }).channels[0];
    const bass = renderPiece({ ...base, solo: 'bass' }).channels[0];
    expect(energy(lead)).toBeGreaterThan(0);
    expect(low(lead) / energy(lead)).toBeLessThan(0.3 * (low(full) / energy(full)));
    expect(low(bass) / energy(bass)).toBeGreaterThan(low(lead) / energy(lead));
  });

  it('renders different pieces for different seeds', () => {
    expect(checksum(renderPiece({ ...base, seed: 43 }).channels[0])).not.toBe(
      checksum(renderPiece(base).channels[0]),
    );
  });

  it('outputs planar stereo at 44.1 kHz of the requested length, without clipping past full scale', () => {
    const r = renderPiece(base);
    expect(r.sampleRate).toBe(44100);
    expect(r.channels).toHaveLength(2);
    expect(r.channels[0].length).toBe(6 * 44100);
    let peak = 0;
    for (const c of r.channels) for (const v of c) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(0.01);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it('states the truth it rendered: steady beats 60/bpm apart, a downbeat every bar', () => {
    const t = renderPiece(base).truth;
    expect(t.key).toBe('A minor');
    expect(t.tempoBpm).toBe(120);
    for (let i = 1; i < t.beats.length; i++) expect(t.beats[i] - t.beats[i - 1]).toBeCloseTo(0.5, 6);
    expect(t.downbeats.length).toBe(Math.ceil(t.beats.length / 4));
  });

  it('counts two dotted-quarter beats per bar in 6/8', () => {
    const t = renderPiece({ ...base, timeSignature: '6/8', drums: 'compound', bpm: 60 }).truth;
    expect(t.beatsPerBar).toBe(2);
    expect(t.beats[1] - t.beats[0]).toBeCloseTo(1, 6);
  });

  it('reports a ramped tempo as not steady', () => {
    const t = renderPiece({ ...base, tempoVariation: 'ramp', durationSeconds: 12 }).truth;
    expect(t.steady).toBe(false);
  });

  it('rejects a progression of the other mode', () => {
    expect(() => renderPiece({ ...base, progression: 'I-V-vi-IV' })).toThrow(RangeError);
  });
});

describe('synthetic set', () => {
  const set = syntheticSet();

  it('covers all 24 keys equally among the base pieces', () => {
    const counts = new Map<string, number>();
    for (const s of set.filter((x) => !x.codec && !x.degradation)) {
      const k = keyLabel(s.tonic, s.mode);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(new Set(counts.values()).size).toBe(1);
  });

  it('spans 50-200 BPM, three metres, drums and no drums, detuned and degraded copies', () => {
    const bpms = set.map((s) => s.bpm);
    expect(Math.min(...bpms)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...bpms)).toBeLessThanOrEqual(200);
    expect(new Set(set.map((s) => s.timeSignature))).toEqual(new Set(['4/4', '3/4', '6/8']));
    expect(set.some((s) => s.drums === null)).toBe(true);
    expect(set.some((s) => s.tuningHz !== 440)).toBe(true);
    expect(set.some((s) => s.codec === 'mp3-128k')).toBe(true);
    expect(set.some((s) => s.degradation?.noiseSnrDb !== undefined)).toBe(true);
  });

  it("draws tempos around each groove's typical tempo (backbeat median 95-125 BPM)", () => {
    const bpms = set
      .filter((s) => s.drums === 'backbeat')
      .map((s) => s.bpm)
      .sort((a, b) => a - b);
    const median = bpms[bpms.length >> 1];
    expect(median).toBeGreaterThan(95);
    expect(median).toBeLessThan(125);
    expect(bpms[0]).toBeGreaterThanOrEqual(62);
  });

  it('sounds the beat in every piece without drums (seed 2024 syn069: bass once a bar under a pad)', () => {
    // In set version 2 this piece was a bass note on each downbeat under a held pad: nothing in the
    // audio told 3/4 at 154.6 BPM from 6/8 at 103. Now the keys comp, so beats 2 and 3 are heard.
    const spec = set.find((s) => s.id.startsWith('syn069-'))!;
    expect(spec).toMatchObject({ drums: null, timeSignature: '3/4' });
    const piece = renderPiece(spec);
    const [l, r] = piece.channels;
    const sr = piece.sampleRate;
    const energy = (from: number, to: number): number => {
      let e = 0;
      for (let i = Math.max(0, Math.round(from * sr)); i < Math.min(l.length, Math.round(to * sr)); i++)
        e += l[i] * l[i] + r[i] * r[i];
      return e;
    };
    const downbeats = new Set(piece.truth.downbeats);
    const inside = piece.truth.beats.filter(
      (t) => !downbeats.has(t) && t > 0.2 && t < spec.durationSeconds - 0.2,
    );
    // an onset: the 50 ms after the beat hold clearly more energy than the 50 ms before it
    const heard = inside.filter((t) => energy(t, t + 0.05) > 1.5 * energy(t - 0.06, t - 0.01));
    expect(inside.length).toBeGreaterThan(30);
    expect(heard.length / inside.length).toBeGreaterThan(0.8);
  });

  it('renders a piece whose first drum hit falls before the first sample (seed 12 syn134) with finite samples', () => {
    const spec = syntheticSet({ seed: 12 }).find((s) => s.id.startsWith('syn134-'))!;
    const piece = renderPiece(spec);
    const [l] = piece.channels;
    let finite = true;
    let lateEnergy = 0;
    for (let i = 0; i < l.length; i++) {
      if (!Number.isFinite(l[i])) finite = false;
      if (i > 10 * piece.sampleRate) lateEnergy += l[i] * l[i];
    }
    expect(finite).toBe(true);
    expect(lateEnergy).toBeGreaterThan(0);
  });

  it('reads the noise table inside its bounds for any hit start, as before for starts >= 0', () => {
    expect(noiseOffset(-3, 104729, 1000)).toBeGreaterThanOrEqual(0);
    expect(noiseOffset(-3, 104729, 1000)).toBeLessThan(1000);
    expect(noiseOffset(12345, 104729, 1000)).toBe((12345 * 104729) % 1000);
  });

  it('adds comping keys only to drumless pieces whose bass sounds once a bar and nothing else moves', () => {
    const none = { keys: false, pluck: false };
    expect(needsComping({ drums: null }, none, 'bar-one')).toBe(true);
    expect(needsComping({ drums: null }, none, 'held')).toBe(true);
    expect(needsComping({ drums: null }, none, 'beats')).toBe(false);
    expect(needsComping({ drums: 'waltz' }, none, 'bar-one')).toBe(false);
    expect(needsComping({ drums: null }, { keys: false, pluck: true }, 'held')).toBe(false);
    expect(needsComping({ drums: null, solo: 'bass' }, none, 'held')).toBe(false);
  });

  it('holds out about a third of the pieces, with unique ids', () => {
    const held = set.filter((s) => s.split === 'holdout').length / set.length;
    expect(held).toBeGreaterThan(0.25);
    expect(held).toBeLessThan(0.42);
    expect(new Set(set.map((s) => s.id)).size).toBe(set.length);
  });
});

describe('music theory helpers', () => {
  it('builds the harmonic-minor dominant as a major triad', () => {
    const v = PROGRESSIONS.find((p) => p.name === 'i-VI-iv-V')!.chords[3];
    expect(chordSemitones('minor', v)).toEqual([7, 11, 14]);
  });

  it('draws the same numbers from the same seed', () => {
    const a = new Prng(hashSeed('x'));
    const b = new Prng(hashSeed('x'));
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
  });
});

/**
 * A tiny deterministic synthesiser for the example release: drums, bass and chords from a key
 * and a tempo, so that the project ships no recorded (copyrighted) audio and the analysis stage
 * has an answer known by construction.
 */
export interface PieceSpec {
  readonly sampleRate: number;
  readonly seconds: number;
  readonly bpm: number;
  /** MIDI note of the tonic (57 = A3). */
  readonly tonic: number;
  readonly mode: 'major' | 'minor';
  readonly seed: number;
}

export interface Piece {
  readonly drums: Float32Array[];
  readonly bass: Float32Array[];
  readonly keys: Float32Array[];
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

function hz(midi: number): number {
  return 440 * Math.pow(2, (midi - 69) / 12);
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function stereo(n: number): Float32Array[] {
  return [new Float32Array(n), new Float32Array(n)];
}

export function renderPiece(spec: PieceSpec): Piece {
  const { sampleRate: fs, bpm } = spec;
  const n = Math.round(spec.seconds * fs);
  const beat = (60 / bpm) * fs;
  const random = rng(spec.seed);
  const drums = stereo(n);
  const bass = stereo(n);
  const keys = stereo(n);
  const scale = spec.mode === 'major' ? MAJOR : MINOR;
  // I-V-vi-IV in major, i-VI-III-VII in minor: one chord per bar of four beats.
  const degrees = spec.mode === 'major' ? [0, 4, 5, 3] : [0, 5, 2, 6];
  const beats = Math.floor(n / beat);
  for (let b = 0; b < beats; b++) {
    const start = Math.round(b * beat);
    // kick on every beat, snare-like noise on 2 and 4, hats on the off-beats
    for (let i = 0; i < 0.25 * fs && start + i < n; i++) {
      const t = i / fs;
      const f = 50 + 90 * Math.exp(-t * 30);
      const v = 0.7 * Math.exp(-t * 9) * Math.sin(2 * Math.PI * f * t);
      drums[0][start + i] += v;
      drums[1][start + i] += v;
    }
    if (b % 2 === 1) {
      for (let i = 0; i < 0.15 * fs && start + i < n; i++) {
        const v = 0.25 * Math.exp((-i / fs) * 25) * (random() * 2 - 1);
        drums[0][start + i] += v;
        drums[1][start + i] += v * 0.9;
      }
    }
    const off = Math.round(start + beat / 2);
    for (let i = 0; i < 0.04 * fs && off + i < n; i++) {
      const v = 0.08 * Math.exp((-i / fs) * 120) * (random() * 2 - 1);
      drums[0][off + i] += v * 0.7;
      drums[1][off + i] += v;
    }
    const bar = Math.floor(b / 4);
    const degree = degrees[bar % degrees.length];
    const root = spec.tonic + scale[degree % 7] - 12;
    // bass: the chord root, one note per beat
    const fb = hz(root);
    for (let i = 0; i < beat && start + i < n; i++) {
      const t = i / fs;
      const env = Math.min(1, t * 200) * Math.exp(-t * 3);
      const v = 0.35 * env * (Math.sin(2 * Math.PI * fb * t) + 0.3 * Math.sin(4 * Math.PI * fb * t));
      bass[0][start + i] += v;
      bass[1][start + i] += v;
    }
    // keys: the triad of the chord, held through the bar, re-struck on its first beat
    if (b % 4 === 0) {
      const triad = [0, 2, 4].map(
        (k) => spec.tonic + scale[(degree + k) % 7] + 12 * Math.floor((degree + k) / 7),
      );
      for (let i = 0; i < 4 * beat && start + i < n; i++) {
        const t = i / fs;
        const env = Math.min(1, t * 40) * Math.exp(-t * 0.8);
        let v = 0;
        for (const note of triad) {
          const f = hz(note);
          v += Math.sin(2 * Math.PI * f * t) + 0.25 * Math.sin(4 * Math.PI * f * t);
        }
        keys[0][start + i] += 0.08 * env * v;
        keys[1][start + i] += 0.07 * env * v;
      }
    }
  }
  return { drums, bass, keys };
}

export function sum(parts: Float32Array[][]): Float32Array[] {
  const n = parts[0][0].length;
  const out = stereo(n);
  for (const p of parts) for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) out[c][i] += p[c][i];
  return out;
}

/**
 * Scales a piece (all its parts by the same gain, so stems still sum to the mix) so that the mix
 * peaks at `peakDb` dBFS: an unmastered pre-master with headroom, as a mix engineer delivers it.
 */
export function withHeadroom(piece: Piece, peakDb = -6): Piece {
  const mix = sum([piece.drums, piece.bass, piece.keys]);
  let peak = 0;
  for (const ch of mix) for (let i = 0; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
  const g = peak > 0 ? Math.pow(10, peakDb / 20) / peak : 1;
  const scale = (parts: Float32Array[]): Float32Array[] => parts.map((ch) => ch.map((v) => v * g));
  return { drums: scale(piece.drums), bass: scale(piece.bass), keys: scale(piece.keys) };
}

import type { MetreFeatures } from './onset';

export type TimeSignature = '2/4' | '3/4' | '4/4' | '6/8' | '9/8' | '12/8';

export interface MetreEstimate {
  /** Beats (at the reported tempo) per bar. */
  readonly beatsPerBar: number;
  /** 2 when beats divide in two, 3 when they divide in three (compound metre). */
  readonly subdivision: 2 | 3;
  readonly timeSignature: TimeSignature;
  /** Index into the beat list of the first downbeat. */
  readonly firstDownbeat: number;
  /** 0..1 */
  readonly confidence: number;
}

interface BeatFeatures {
  /** rows: beats; columns: features */
  readonly rows: Float64Array[];
  readonly change: Float64Array;
  readonly low: Float64Array;
  readonly subdivision: 2 | 3;
}

function maxIn(a: Float32Array, lo: number, hi: number): number {
  let m = 0;
  for (let i = Math.max(0, lo); i <= Math.min(a.length - 1, hi); i++) if (a[i] > m) m = a[i];
  return m;
}

/** Per-beat rhythm and harmony descriptors (beat-synchronous features, as in Gouyon & Herrera 2003). */
function beatFeatures(f: MetreFeatures, beats: Float64Array): BeatFeatures {
  const nb = beats.length;
  const w = Math.max(1, Math.round(0.04 * f.frameRate));
  const rows: Float64Array[] = [];
  const low = new Float64Array(nb);
  const change = new Float64Array(nb);
  let halfSum = 0;
  let thirdSum = 0;
  const bc = f.bandCount;
  const bandFrames = f.bands.length / bc;
  let prev: Float64Array | null = null;
  let prevChroma: Float64Array | null = null;
  const chromaChange = new Float64Array(nb);
  for (let i = 0; i < nb; i++) {
    const b = beats[i];
    const next = i + 1 < nb ? beats[i + 1] : b + (i > 0 ? b - beats[i - 1] : f.frameRate / 2);
    const ibi = next - b;
    const at = (x: number, arr: Float32Array): number => maxIn(arr, Math.round(x) - w, Math.round(x) + w);
    const row = new Float64Array(8);
    row[0] = at(b, f.low);
    row[1] = at(b, f.mid);
    row[2] = at(b, f.high);
    const h = at(b + ibi / 2, f.all);
    const t1 = at(b + ibi / 3, f.all);
    const t2 = at(b + (2 * ibi) / 3, f.all);
    row[3] = h;
    row[4] = (t1 + t2) / 2;
    row[5] = at(b + ibi / 4, f.all) + at(b + (3 * ibi) / 4, f.all);
    halfSum += h;
    thirdSum += (t1 + t2) / 2;
    low[i] = row[0];
    // mean band spectrum over the beat span
    const v = new Float64Array(bc);
    const s = Math.max(0, Math.floor(b / f.bandDecimation));
    const e = Math.min(bandFrames, Math.max(s + 1, Math.floor(next / f.bandDecimation)));
    for (let j = s; j < e; j++) for (let k = 0; k < bc; k++) v[k] += f.bands[j * bc + k];
    for (let k = 0; k < bc; k++) v[k] /= Math.max(1, e - s);
    if (prev) {
      let d = 0;
      for (let k = 0; k < bc; k++) d += Math.abs(v[k] - prev[k]);
      change[i] = d / bc;
    }
    prev = v;
    row[6] = change[i];
    // chord change: cosine distance of the chroma of this beat and the previous one
    const ch = new Float64Array(12);
    for (let j = s; j < e; j++) for (let k = 0; k < 12; k++) ch[k] += f.chroma[j * 12 + k] ?? 0;
    if (prevChroma) {
      let dot = 0;
      let na = 0;
      let nb2 = 0;
      for (let k = 0; k < 12; k++) {
        dot += ch[k] * prevChroma[k];
        na += ch[k] * ch[k];
        nb2 += prevChroma[k] * prevChroma[k];
      }
      chromaChange[i] = na > 0 && nb2 > 0 ? 1 - dot / Math.sqrt(na * nb2) : 0;
    }
    prevChroma = ch;
    row[7] = chromaChange[i];
    rows.push(row);
  }
  if (nb > 1) change[0] = change[1];
  // z-score columns
  const cols = rows.length ? rows[0].length : 0;
  for (let c = 0; c < cols; c++) {
    let m = 0;
    for (const r of rows) m += r[c];
    m /= Math.max(1, nb);
    let v = 0;
    for (const r of rows) v += (r[c] - m) * (r[c] - m);
    const sd = Math.sqrt(v / Math.max(1, nb)) || 1;
    for (const r of rows) r[c] = (r[c] - m) / sd;
  }
  return { rows, change, low, subdivision: thirdSum > 1.15 * halfSum ? 3 : 2 };
}

/** Downbeat cues: kick/bass onsets, spectral and chord changes on the one, snare away from it. */
export const DOWNBEAT_WEIGHTS = Object.freeze({ low: 1, bandChange: 0.5, chordChange: 1.5, mid: -0.5 });

function patternDistance(rows: Float64Array[], lag: number): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i + lag < rows.length; i++) {
    const a = rows[i];
    const b = rows[i + lag];
    for (let c = 0; c < a.length; c++) d += (a[c] - b[c]) * (a[c] - b[c]);
    n++;
  }
  return n ? d / n : Infinity;
}

/**
 * Bar length and downbeat phase from beat-synchronous features: the bar is the lag (2, 3, 4 or 6
 * beats) at which the rhythm pattern repeats best; the downbeat is the phase where low-frequency
 * onsets (kick, bass) and harmonic changes concentrate (Klapuri et al. 2006; Goto 2001).
 */
export function estimateMetre(f: MetreFeatures, beats: Float64Array): MetreEstimate {
  if (beats.length < 8) {
    return { beatsPerBar: 4, subdivision: 2, timeSignature: '4/4', firstDownbeat: 0, confidence: 0 };
  }
  const bf = beatFeatures(f, beats);
  const lags = [2, 3, 4, 6];
  const d = lags.map((l) => patternDistance(bf.rows, l));
  // Prefer 4 over 2 and 3 over 6 unless clearly better (4/4 and 3/4 are the common notations;
  // a bar that repeats every 2 beats also repeats every 4, one of 3 every 6).
  const d2 = d[0] * 1.4;
  const d3 = d[1];
  const d4 = d[2];
  const d6 = d[3] * 1.4;
  let bpb = 4;
  let best = d4;
  if (d3 < best) {
    bpb = 3;
    best = d3;
  }
  if (d2 < best) {
    bpb = 2;
    best = d2;
  }
  if (d6 < best) {
    bpb = 6;
    best = d6;
  }
  const sorted = [d2, d3, d4, d6].sort((a, b) => a - b);
  const confidence = Math.max(0, Math.min(1, (sorted[1] - sorted[0]) / (sorted[1] + 1e-9)));
  // downbeat phase: kick and harmonic change on the one
  let bestPhase = 0;
  let bestScore = -Infinity;
  for (let ph = 0; ph < bpb; ph++) {
    let s = 0;
    let n = 0;
    for (let i = ph; i < bf.rows.length; i += bpb) {
      const r = bf.rows[i];
      s +=
        DOWNBEAT_WEIGHTS.low * r[0] +
        DOWNBEAT_WEIGHTS.bandChange * r[6] +
        DOWNBEAT_WEIGHTS.chordChange * r[7] +
        DOWNBEAT_WEIGHTS.mid * r[1];
      n++;
    }
    s /= Math.max(1, n);
    if (s > bestScore) {
      bestScore = s;
      bestPhase = ph;
    }
  }
  const sub = bf.subdivision;
  const ts = timeSignatureOf(bpb, sub);
  return { beatsPerBar: bpb, subdivision: sub, timeSignature: ts, firstDownbeat: bestPhase, confidence };
}

/** Notation for a bar of `beatsPerBar` beats each divided in `subdivision`; 6 beats means eighths of 6/8. */
export function timeSignatureOf(beatsPerBar: number, subdivision: 2 | 3): TimeSignature {
  if (beatsPerBar === 6) return '6/8';
  if (subdivision === 3) return beatsPerBar === 2 ? '6/8' : beatsPerBar === 3 ? '9/8' : '12/8';
  return beatsPerBar === 2 ? '2/4' : beatsPerBar === 3 ? '3/4' : '4/4';
}

/**
 * Simple additive/subtractive instruments for the synthetic renderer. Each call renders one note
 * straight into the stereo mix (and an optional reverb send), so memory stays at the mix buffers.
 * Pitch is always exact (phase accumulators, no integer delay lines), so detuned pieces carry the
 * intended reference frequency.
 */
import { Prng } from './prng';

export interface Mix {
  readonly sampleRate: number;
  readonly left: Float32Array;
  readonly right: Float32Array;
  /** Mono reverb send. */
  readonly send: Float32Array;
  /** One second of white noise, read from random offsets. */
  readonly noise: Float32Array;
}

export interface Placement {
  /** Linear gain. */
  gain: number;
  /** -1 (left) .. 1 (right). */
  pan: number;
  /** Reverb send gain. */
  send: number;
}

export function createMix(sampleRate: number, frames: number, rng: Prng): Mix {
  const noise = new Float32Array(sampleRate);
  for (let i = 0; i < noise.length; i++) noise[i] = 2 * rng.next() - 1;
  return {
    sampleRate,
    left: new Float32Array(frames),
    right: new Float32Array(frames),
    send: new Float32Array(frames),
    noise,
  };
}

function panGains(pan: number): [number, number] {
  const a = ((pan + 1) * Math.PI) / 4;
  return [Math.cos(a), Math.sin(a)];
}

/** Adds `buf[0..n)` at `start` into the mix with the placement. */
function place(mix: Mix, buf: Float32Array, n: number, start: number, p: Placement): void {
  const [gl, gr] = panGains(p.pan);
  const l = mix.left;
  const r = mix.right;
  const s = mix.send;
  const end = Math.min(l.length, start + n);
  const gL = p.gain * gl;
  const gR = p.gain * gr;
  const gS = p.gain * p.send;
  for (let i = Math.max(0, start), j = Math.max(0, -start); i < end; i++, j++) {
    const x = buf[j];
    l[i] += gL * x;
    r[i] += gR * x;
    s[i] += gS * x;
  }
}

/**
 * Where a hit starting at sample `start` reads the shared noise table: a hash of its start, in
 * [0, length) also for hits placed before the first sample (a lead-in near 0 minus timing jitter),
 * which read outside the table, turned the whole piece into NaN through the reverb (set version 4).
 */
export function noiseOffset(start: number, multiplier: number, length: number): number {
  return (((start * multiplier) % length) + length) % length;
}

let scratch = new Float32Array(1 << 16);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  scratch.fill(0, 0, n);
  return scratch;
}

/** Two cascaded one-pole low-passes in place (12 dB/oct), cutoff fixed. */
function onePoleLowPass2(buf: Float32Array, n: number, cutoffHz: number, sampleRate: number): void {
  const a = 1 - Math.exp((-2 * Math.PI * Math.min(cutoffHz, sampleRate * 0.45)) / sampleRate);
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < n; i++) {
    y1 += a * (buf[i] - y1);
    y2 += a * (y1 - y2);
    buf[i] = y2;
  }
}

/** Two cascaded one-pole high-passes in place. */
function onePoleHighPass2(buf: Float32Array, n: number, cutoffHz: number, sampleRate: number): void {
  const a = 1 - Math.exp((-2 * Math.PI * Math.min(cutoffHz, sampleRate * 0.45)) / sampleRate);
  let l1 = 0;
  let l2 = 0;
  for (let i = 0; i < n; i++) {
    l1 += a * (buf[i] - l1);
    const h1 = buf[i] - l1;
    l2 += a * (h1 - l2);
    buf[i] = h1 - l2;
  }
}

export interface KickVoice {
  startHz: number;
  endHz: number;
  pitchDecaySeconds: number;
  ampDecaySeconds: number;
  click: number;
}

export function kick(mix: Mix, start: number, velocity: number, v: KickVoice, p: Placement): void {
  const sr = mix.sampleRate;
  const n = Math.floor(v.ampDecaySeconds * 6 * sr);
  const buf = scratchOf(n);
  const kp = Math.exp(-1 / (v.pitchDecaySeconds * sr));
  const ka = Math.exp(-1 / (v.ampDecaySeconds * sr));
  let pitchEnv = 1;
  let amp = velocity;
  let phase = 0;
  const clickLen = Math.floor(0.004 * sr);
  const clickOffset = noiseOffset(start, 7919, mix.noise.length - clickLen - 1);
  for (let i = 0; i < n; i++) {
    const f = v.endHz + (v.startHz - v.endHz) * pitchEnv;
    phase += (2 * Math.PI * f) / sr;
    let x = Math.sin(phase) * amp;
    if (i < clickLen) x += v.click * velocity * mix.noise[clickOffset + i] * (1 - i / clickLen);
    buf[i] = x;
    pitchEnv *= kp;
    amp *= ka;
  }
  place(mix, buf, n, start, p);
}

export interface NoiseVoice {
  /** Body sine (snare shell); 0 disables it. */
  toneHz: number;
  toneDecaySeconds: number;
  noiseDecaySeconds: number;
  highPassHz: number;
  lowPassHz: number;
  toneLevel: number;
  /** Clap: number of short re-triggered bursts before the tail (1 = plain). */
  bursts: number;
}

/** Snare, clap, hats and rides: filtered noise with an optional tonal body. */
export function noiseHit(mix: Mix, start: number, velocity: number, v: NoiseVoice, p: Placement): void {
  const sr = mix.sampleRate;
  const decay = Math.max(v.noiseDecaySeconds, v.toneDecaySeconds);
  const n = Math.floor(decay * 6 * sr) + Math.floor(0.03 * sr * v.bursts);
  const buf = scratchOf(n);
  const noise = mix.noise;
  let off = noiseOffset(start, 104729, noise.length);
  const kn = Math.exp(-1 / (v.noiseDecaySeconds * sr));
  const burstLen = Math.floor(0.011 * sr);
  let amp = velocity;
  for (let i = 0; i < n; i++) {
    let env = amp;
    if (v.bursts > 1 && i < burstLen * (v.bursts - 1))
      env = velocity * Math.exp(-(i % burstLen) / (0.003 * sr));
    else amp *= kn;
    buf[i] = noise[off] * env;
    if (++off >= noise.length) off = 0;
  }
  if (v.highPassHz > 0) onePoleHighPass2(buf, n, v.highPassHz, sr);
  if (v.lowPassHz > 0) onePoleLowPass2(buf, n, v.lowPassHz, sr);
  if (v.toneHz > 0) {
    const kt = Math.exp(-1 / (v.toneDecaySeconds * sr));
    let a = velocity * v.toneLevel;
    const w = (2 * Math.PI * v.toneHz) / sr;
    for (let i = 0; i < n; i++) {
      buf[i] += a * Math.sin(w * i);
      a *= kt;
    }
  }
  place(mix, buf, n, start, p);
}

export type Wave = 'saw' | 'square' | 'triangle' | 'sine';

export interface ToneVoice {
  wave: Wave;
  attackSeconds: number;
  releaseSeconds: number;
  /** Exponential decay time while held; Infinity for sustained. */
  decaySeconds: number;
  /** Low-pass cutoff as a multiple of the note frequency (and absolute ceiling below). */
  cutoffRatio: number;
  cutoffMaxHz: number;
  /** Cutoff envelope: extra ratio at the attack, decaying with `filterDecaySeconds`. */
  filterEnvRatio: number;
  filterDecaySeconds: number;
  /** Detuned unison voices (cents apart), 1 = single oscillator. */
  unison: number;
  detuneCents: number;
  vibratoCents: number;
  /** Soft saturation drive, 0 = clean. */
  drive: number;
}

/**
 * Oscillator note (polyBLEP saw/square, naive triangle, sine) through a two-pole low-pass whose
 * cutoff follows a decaying envelope; attack / hold / release amplitude envelope.
 */
export function tone(
  mix: Mix,
  start: number,
  durationSeconds: number,
  hz: number,
  velocity: number,
  v: ToneVoice,
  p: Placement,
): void {
  const sr = mix.sampleRate;
  const hold = Math.max(1, Math.floor(durationSeconds * sr));
  const rel = Math.floor(v.releaseSeconds * sr);
  const n = hold + rel;
  const buf = scratchOf(n);
  const att = Math.max(1, Math.floor(v.attackSeconds * sr));
  const kd = Number.isFinite(v.decaySeconds) ? Math.exp(-1 / (v.decaySeconds * sr)) : 1;
  const kf = Math.exp(-1 / (v.filterDecaySeconds * sr));
  const kr = rel > 0 ? Math.exp(-5 / rel) : 0;
  for (let u = 0; u < v.unison; u++) {
    const cents = v.unison === 1 ? 0 : v.detuneCents * (u / (v.unison - 1) - 0.5);
    const f0 = hz * Math.pow(2, cents / 1200);
    let phase = (u * 0.37) % 1;
    let decayEnv = 1;
    let relEnv = 1;
    let filterEnv = 1;
    let y1 = 0;
    let y2 = 0;
    let a = 0;
    const gain = velocity / v.unison;
    for (let i = 0; i < n; i++) {
      let f = f0;
      if (v.vibratoCents > 0 && i > 0.25 * sr)
        f *= 1 + (v.vibratoCents / 1731) * Math.sin((2 * Math.PI * 5.2 * i) / sr);
      const dt = f / sr;
      phase += dt;
      if (phase >= 1) phase -= 1;
      let x: number;
      switch (v.wave) {
        case 'saw':
          x = 2 * phase - 1 - polyBlep(phase, dt);
          break;
        case 'square': {
          let ph2 = phase + 0.5;
          if (ph2 >= 1) ph2 -= 1;
          x = (phase < 0.5 ? 1 : -1) + polyBlep(phase, dt) - polyBlep(ph2, dt);
          break;
        }
        case 'triangle':
          x = phase < 0.5 ? 4 * phase - 1 : 3 - 4 * phase;
          break;
        case 'sine':
          x = Math.sin(2 * Math.PI * phase);
          break;
      }
      if ((i & 15) === 0) {
        const fc = Math.min(v.cutoffMaxHz, f0 * (v.cutoffRatio + v.filterEnvRatio * filterEnv), sr * 0.45);
        a = 1 - Math.exp((-2 * Math.PI * fc) / sr);
      }
      y1 += a * (x - y1);
      y2 += a * (y1 - y2);
      const attEnv = i < att ? i / att : 1;
      if (i >= hold) relEnv *= kr;
      let out = y2 * attEnv * decayEnv * relEnv * gain;
      if (v.drive > 0) out = Math.tanh(out * (1 + v.drive)) / (1 + v.drive * 0.5);
      buf[i] += out;
      decayEnv *= kd;
      filterEnv *= kf;
    }
  }
  place(mix, buf, n, start, p);
}

function polyBlep(t: number, dt: number): number {
  if (t < dt) {
    const x = t / dt;
    return x + x - x * x - 1;
  }
  if (t > 1 - dt) {
    const x = (t - 1) / dt;
    return x * x + x + x + 1;
  }
  return 0;
}

export interface PartialVoice {
  /** Relative amplitude of partial k (1-based index k+1). */
  amplitudes: readonly number[];
  /** Decay time of the fundamental; partial k decays `brightnessDecay`^k times faster. */
  decaySeconds: number;
  brightnessDecay: number;
  attackSeconds: number;
  releaseSeconds: number;
  /** Inharmonicity B (piano-like stretch), 0 = harmonic. */
  inharmonicity: number;
}

/** Additive note (pluck, e-piano, bell-ish keys) with recursive sine oscillators, no per-sample sin. */
export function partials(
  mix: Mix,
  start: number,
  durationSeconds: number,
  hz: number,
  velocity: number,
  v: PartialVoice,
  p: Placement,
): void {
  const sr = mix.sampleRate;
  const hold = Math.max(1, Math.floor(durationSeconds * sr));
  const rel = Math.floor(v.releaseSeconds * sr);
  const n = Math.min(hold + rel, Math.floor(v.decaySeconds * 7 * sr) + 1);
  const buf = scratchOf(n);
  const att = Math.max(1, Math.floor(v.attackSeconds * sr));
  const kr = rel > 0 ? Math.exp(-5 / rel) : 0;
  for (let k = 0; k < v.amplitudes.length; k++) {
    const h = k + 1;
    const f = hz * h * Math.sqrt(1 + v.inharmonicity * h * h);
    if (f >= sr * 0.45) break;
    const w = (2 * Math.PI * f) / sr;
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = -Math.sin(w);
    const decay = v.decaySeconds / Math.pow(v.brightnessDecay, k);
    const kd = Math.exp(-1 / (decay * sr));
    let env = velocity * v.amplitudes[k];
    let relEnv = 1;
    for (let i = 0; i < n; i++) {
      const s = c * s1 - s2;
      s2 = s1;
      s1 = s;
      const attEnv = i < att ? i / att : 1;
      if (i >= hold) relEnv *= kr;
      buf[i] += s * env * attEnv * relEnv;
      env *= kd;
    }
  }
  place(mix, buf, n, start, p);
}

/** Schroeder reverb (4 damped combs + 2 all-passes per channel) of the send, added to the mix. */
export function applyReverb(mix: Mix, wet: number, roomScale: number): void {
  const sr = mix.sampleRate;
  const combMs = [29.7, 37.1, 41.1, 43.7];
  const apMs = [5.0, 1.7];
  for (let ch = 0; ch < 2; ch++) {
    const out = ch === 0 ? mix.left : mix.right;
    const spread = ch === 0 ? 1 : 1.023;
    const acc = new Float32Array(out.length);
    for (const ms of combMs) {
      const len = Math.floor(((ms * roomScale * spread) / 1000) * sr);
      const line = new Float32Array(len);
      let idx = 0;
      let lp = 0;
      const fb = 0.78;
      const damp = 0.3;
      for (let i = 0; i < out.length; i++) {
        const y = line[idx];
        lp = y * (1 - damp) + lp * damp;
        line[idx] = mix.send[i] + fb * lp + 1e-20;
        acc[i] += y;
        if (++idx >= len) idx = 0;
      }
    }
    for (const ms of apMs) {
      const len = Math.floor(((ms * spread) / 1000) * sr);
      const line = new Float32Array(len);
      let idx = 0;
      const g = 0.7;
      for (let i = 0; i < out.length; i++) {
        const b = line[idx];
        const x = acc[i];
        const y = -g * x + b;
        line[idx] = x + g * y;
        acc[i] = y;
        if (++idx >= len) idx = 0;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] += wet * 0.25 * acc[i];
  }
}

/**
 * Deterministic renderer of synthetic pieces with known tempo, beats, metre, key and tuning, for
 * unit tests and the analysis bench. Everything random comes from the piece's seed, so the same
 * spec always renders the same samples (on the same JavaScript engine).
 *
 * Truth conventions (what a musician would write on the score or a producer types into the DAW):
 * - tempo = beats per minute of the notated beat: the quarter note in 4/4 and 3/4, the dotted
 *   quarter in 6/8; half-time grooves keep the DAW tempo (snare on beat 3 of a 4/4 bar).
 * - key = the key of the chord progression (tonic and mode), whatever chord the loop starts on.
 * - tuning = the reference A4 every pitch is derived from.
 */
import {
  applyReverb,
  createMix,
  kick,
  noiseHit,
  partials,
  tone,
  type KickVoice,
  type Mix,
  type NoiseVoice,
  type PartialVoice,
  type Placement,
  type ToneVoice,
} from './instruments';
import { Prng } from './prng';
import {
  PROGRESSIONS,
  chordSemitones,
  degreeSemitones,
  keyLabel,
  midiToHz,
  type ChordDegree,
  type Mode,
  type Progression,
} from './theory';

export type DrumStyle =
  'four-on-the-floor' | 'backbeat' | 'swung' | 'half-time' | 'breakbeat' | 'waltz' | 'compound';
export type TimeSignature = '4/4' | '3/4' | '6/8';
export type TempoVariation = 'steady' | 'drift' | 'ramp';
export type SoloPart = 'lead' | 'bass' | 'keys' | 'pluck';

export interface Degradation {
  /** White noise added at this signal-to-noise ratio (dB, RMS). */
  readonly noiseSnrDb?: number;
  readonly fadeInSeconds?: number;
  readonly fadeOutSeconds?: number;
}

export interface PieceSpec {
  readonly id: string;
  readonly seed: number;
  /** Pitch class of the tonic, 0 = C. */
  readonly tonic: number;
  readonly mode: Mode;
  /** Notated beats per minute (the dotted quarter in 6/8). */
  readonly bpm: number;
  readonly timeSignature: TimeSignature;
  /** Drum groove, or null for a piece without drums. */
  readonly drums: DrumStyle | null;
  /** Name of one of PROGRESSIONS (its mode must equal `mode`). */
  readonly progression: string;
  /** Reference A4 in Hz. */
  readonly tuningHz: number;
  readonly durationSeconds: number;
  readonly tempoVariation: TempoVariation;
  readonly degradation?: Degradation;
  /**
   * Render one part alone, as a stem (no drums, no other part): what an analysis of a single
   * stem or a solo instrument sees. Absent in the sets the bench reports.
   */
  readonly solo?: SoloPart;
  /** 'holdout' pieces are never looked at while tuning estimators. */
  readonly split: 'tune' | 'holdout';
}

export interface PieceTruth {
  readonly tempoBpm: number;
  readonly key: string;
  readonly tonic: number;
  readonly mode: Mode;
  readonly timeSignature: TimeSignature;
  readonly beatsPerBar: number;
  readonly tuningHz: number;
  readonly steady: boolean;
  /** Beat times in seconds (the notated beat). */
  readonly beats: number[];
  readonly downbeats: number[];
}

export interface RenderedPiece {
  readonly sampleRate: number;
  /** Planar stereo. */
  readonly channels: [Float32Array, Float32Array];
  readonly truth: PieceTruth;
}

export const SYNTH_SAMPLE_RATE = 44100;

interface Event {
  /** Position in beats from the start of the piece. */
  beat: number;
  /** Length in beats. */
  length: number;
  midi: number;
  velocity: number;
}

interface Timeline {
  beatTimes: Float64Array;
  jitterSeconds: number;
}

function beatsPerBarOf(ts: TimeSignature): number {
  return ts === '4/4' ? 4 : ts === '3/4' ? 3 : 2;
}

/** Subdivisions of the beat that the groove and melodies move in. */
function subdivisionOf(ts: TimeSignature): number {
  return ts === '6/8' ? 3 : 2;
}

function findProgression(spec: PieceSpec): Progression {
  const p = PROGRESSIONS.find((x) => x.name === spec.progression);
  if (!p) throw new RangeError(`unknown progression ${spec.progression}`);
  if (p.mode !== spec.mode) throw new RangeError(`progression ${p.name} is ${p.mode}, piece is ${spec.mode}`);
  return p;
}

function buildTimeline(spec: PieceSpec, rng: Prng, leadIn: number, totalBeats: number): Timeline {
  const beatTimes = new Float64Array(totalBeats + 2);
  let t = leadIn;
  const period = rng.range(16, 48);
  const phase = rng.range(0, 2 * Math.PI);
  const depth = rng.range(0.01, 0.03);
  const ratio = rng.chance(0.5) ? rng.range(1.06, 1.12) : 1 / rng.range(1.06, 1.12);
  for (let b = 0; b < beatTimes.length; b++) {
    beatTimes[b] = t;
    let bpm = spec.bpm;
    if (spec.tempoVariation === 'drift') bpm *= 1 + depth * Math.sin((2 * Math.PI * b) / period + phase);
    else if (spec.tempoVariation === 'ramp') bpm *= Math.pow(ratio, b / totalBeats - 0.5);
    t += 60 / bpm;
  }
  const jitterSeconds = spec.tempoVariation === 'steady' ? rng.range(0, 0.003) : rng.range(0.006, 0.014);
  return { beatTimes, jitterSeconds };
}

function timeOf(tl: Timeline, beat: number): number {
  const b = Math.max(0, Math.min(tl.beatTimes.length - 2, Math.floor(beat)));
  const f = beat - b;
  return tl.beatTimes[b] + f * (tl.beatTimes[b + 1] - tl.beatTimes[b]);
}

interface Palette {
  kick: KickVoice;
  snare: NoiseVoice;
  hat: NoiseVoice;
  openHat: NoiseVoice;
  ride: NoiseVoice;
  bass: ToneVoice;
  pad: ToneVoice;
  lead: ToneVoice;
  keys: PartialVoice;
  pluck: PartialVoice;
}

function makePalette(rng: Prng): Palette {
  const clap = rng.chance(0.35);
  return {
    kick: {
      startHz: rng.range(110, 260),
      endHz: rng.range(40, 62),
      pitchDecaySeconds: rng.range(0.02, 0.06),
      ampDecaySeconds: rng.range(0.12, 0.35),
      click: rng.range(0, 0.4),
    },
    snare: {
      toneHz: clap ? 0 : rng.range(160, 240),
      toneDecaySeconds: 0.06,
      noiseDecaySeconds: clap ? rng.range(0.08, 0.18) : rng.range(0.06, 0.2),
      highPassHz: clap ? rng.range(700, 1200) : rng.range(300, 900),
      lowPassHz: rng.range(5000, 11000),
      toneLevel: rng.range(0.3, 0.8),
      bursts: clap ? 3 : 1,
    },
    hat: {
      toneHz: 0,
      toneDecaySeconds: 0.01,
      noiseDecaySeconds: rng.range(0.015, 0.05),
      highPassHz: rng.range(5000, 8500),
      lowPassHz: 0,
      toneLevel: 0,
      bursts: 1,
    },
    openHat: {
      toneHz: 0,
      toneDecaySeconds: 0.01,
      noiseDecaySeconds: rng.range(0.12, 0.3),
      highPassHz: rng.range(4500, 7500),
      lowPassHz: 0,
      toneLevel: 0,
      bursts: 1,
    },
    ride: {
      toneHz: rng.range(3000, 4200),
      toneDecaySeconds: rng.range(0.3, 0.7),
      noiseDecaySeconds: rng.range(0.25, 0.6),
      highPassHz: rng.range(3500, 6000),
      lowPassHz: 0,
      toneLevel: 0.08,
      bursts: 1,
    },
    bass: {
      wave: rng.pick(['saw', 'square', 'sine', 'triangle'] as const),
      attackSeconds: 0.003,
      releaseSeconds: rng.range(0.03, 0.12),
      decaySeconds: rng.chance(0.5) ? Infinity : rng.range(0.4, 1.5),
      cutoffRatio: rng.range(1.5, 4),
      cutoffMaxHz: 2500,
      filterEnvRatio: rng.range(0, 8),
      filterDecaySeconds: rng.range(0.05, 0.3),
      unison: 1,
      detuneCents: 0,
      vibratoCents: 0,
      drive: rng.chance(0.3) ? rng.range(0.5, 3) : 0,
    },
    pad: {
      wave: rng.pick(['saw', 'saw', 'square', 'triangle'] as const),
      attackSeconds: rng.range(0.02, 0.4),
      releaseSeconds: rng.range(0.15, 0.6),
      decaySeconds: Infinity,
      cutoffRatio: rng.range(2, 8),
      cutoffMaxHz: rng.range(1500, 5000),
      filterEnvRatio: 0,
      filterDecaySeconds: 1,
      unison: rng.int(1, 3),
      detuneCents: rng.range(6, 18),
      vibratoCents: 0,
      drive: 0,
    },
    lead: {
      wave: rng.pick(['saw', 'square', 'triangle', 'sine'] as const),
      attackSeconds: rng.range(0.005, 0.05),
      releaseSeconds: rng.range(0.05, 0.2),
      decaySeconds: rng.chance(0.5) ? Infinity : rng.range(0.5, 2),
      cutoffRatio: rng.range(3, 10),
      cutoffMaxHz: 7000,
      filterEnvRatio: rng.range(0, 6),
      filterDecaySeconds: rng.range(0.05, 0.4),
      unison: 1,
      detuneCents: 0,
      vibratoCents: rng.chance(0.5) ? rng.range(5, 20) : 0,
      drive: 0,
    },
    keys: {
      amplitudes: [1, rng.range(0.2, 0.7), rng.range(0.05, 0.3), rng.range(0, 0.2), rng.range(0, 0.1)],
      decaySeconds: rng.range(0.6, 2.5),
      brightnessDecay: rng.range(1.2, 2),
      attackSeconds: 0.004,
      releaseSeconds: 0.15,
      inharmonicity: rng.chance(0.5) ? rng.range(0, 0.0004) : 0,
    },
    pluck: {
      amplitudes: [1, 0.6, 0.45, 0.3, 0.25, 0.18, 0.12, 0.08],
      decaySeconds: rng.range(0.25, 0.9),
      brightnessDecay: rng.range(1.15, 1.6),
      attackSeconds: 0.002,
      releaseSeconds: 0.08,
      inharmonicity: 0,
    },
  };
}

interface DrumHit {
  at: number;
  voice: 'kick' | 'snare' | 'hat' | 'openHat' | 'ride';
  velocity: number;
}

/** One bar of a groove, positions in beats (before swing). */
function grooveBar(style: DrumStyle, rng: Prng, bpm: number): DrumHit[] {
  const h: DrumHit[] = [];
  const add = (at: number, voice: DrumHit['voice'], velocity: number): void => {
    h.push({ at, voice, velocity });
  };
  // Hats get denser at slow tempos and sparser at fast ones, as drummers play them.
  const hatStep = bpm < 85 ? (rng.chance(0.6) ? 0.25 : 0.5) : bpm > 150 ? (rng.chance(0.5) ? 1 : 0.5) : 0.5;
  switch (style) {
    case 'four-on-the-floor': {
      for (let b = 0; b < 4; b++) add(b, 'kick', 1);
      add(1, 'snare', 0.8);
      add(3, 'snare', 0.8);
      const open = rng.chance(0.5);
      for (let b = 0; b < 4; b++) add(b + 0.5, open ? 'openHat' : 'hat', 0.6);
      if (rng.chance(0.5)) for (let b = 0; b < 4; b++) add(b + 0.25, 'hat', 0.25);
      break;
    }
    case 'backbeat': {
      add(0, 'kick', 1);
      add(2, 'kick', 0.9);
      if (rng.chance(0.4)) add(2.5, 'kick', 0.7);
      if (rng.chance(0.25)) add(1.5, 'kick', 0.6);
      add(1, 'snare', 0.95);
      add(3, 'snare', 0.95);
      for (let p = 0; p < 4; p += hatStep) add(p, 'hat', Math.abs(p - Math.round(p)) < 1e-9 ? 0.6 : 0.4);
      break;
    }
    case 'swung': {
      if (rng.chance(0.5)) {
        // jazz ride "spang-a-lang", feathered kick, hi-hat foot on 2 and 4, sparse snare comping
        for (let b = 0; b < 4; b++) add(b, 'ride', 0.7);
        add(1.5, 'ride', 0.45);
        add(3.5, 'ride', 0.45);
        for (let b = 0; b < 4; b++) add(b, 'kick', 0.3);
        add(1, 'hat', 0.5);
        add(3, 'hat', 0.5);
        if (rng.chance(0.5)) add(rng.pick([1.5, 2.5, 3.5]), 'snare', 0.35);
      } else {
        // shuffle: swung eighths on the hats, backbeat
        add(0, 'kick', 1);
        add(2, 'kick', 0.9);
        if (rng.chance(0.4)) add(2.5, 'kick', 0.6);
        add(1, 'snare', 0.9);
        add(3, 'snare', 0.9);
        for (let p = 0; p < 4; p += 0.5) add(p, 'hat', p % 1 === 0 ? 0.6 : 0.4);
      }
      break;
    }
    case 'half-time': {
      add(0, 'kick', 1);
      if (rng.chance(0.6)) add(rng.pick([1.5, 2.5, 3.25, 3.5]), 'kick', 0.8);
      add(2, 'snare', 1);
      const step = rng.chance(0.5) ? 0.25 : 0.5;
      for (let p = 0; p < 4; p += step) add(p, 'hat', p % 1 === 0 ? 0.5 : 0.3);
      break;
    }
    case 'breakbeat': {
      const kicks = rng.pick([
        [0, 0.5, 2.5],
        [0, 1.75, 2.5],
        [0, 2.5],
        [0, 0.75, 2.25],
      ]);
      for (const k of kicks) add(k, 'kick', 1);
      add(1, 'snare', 1);
      add(3, 'snare', 1);
      for (const g of rng.pick([[1.75, 3.25], [2.75], [1.75, 3.75], []])) add(g, 'snare', 0.4);
      const step = bpm > 140 ? 0.5 : 0.25;
      for (let p = 0; p < 4; p += step) add(p, 'hat', p % 0.5 === 0 ? 0.5 : 0.3);
      break;
    }
    case 'waltz': {
      add(0, 'kick', 1);
      if (rng.chance(0.5)) {
        add(1, 'snare', 0.6);
        add(2, 'snare', 0.6);
      } else {
        add(1, 'hat', 0.6);
        add(2, 'hat', 0.6);
        if (rng.chance(0.5)) add(2, 'snare', 0.7);
      }
      if (rng.chance(0.5)) for (let p = 0.5; p < 3; p += 1) add(p, 'hat', 0.3);
      break;
    }
    case 'compound': {
      // 6/8 felt in two: kick on 1, snare on the second beat, eighths on the hats
      add(0, 'kick', 1);
      if (rng.chance(0.4)) add(2 / 3, 'kick', 0.6);
      add(1, 'snare', 0.9);
      for (let p = 0; p < 2 - 1e-9; p += 1 / 3)
        add(p, 'hat', Math.abs(p - Math.round(p)) < 1e-6 ? 0.6 : 0.35);
      break;
    }
  }
  return h;
}

/** Swing: off-beat eighths (positions x.5) move to x + ratio. */
function swingBeat(beat: number, ratio: number): number {
  const whole = Math.floor(beat + 1e-9);
  const frac = beat - whole;
  if (ratio <= 0.5) return beat;
  if (Math.abs(frac - 0.5) < 1e-6) return whole + ratio;
  if (Math.abs(frac - 0.25) < 1e-6) return whole + ratio / 2;
  if (Math.abs(frac - 0.75) < 1e-6) return whole + ratio + (1 - ratio) / 2;
  return beat;
}

/** Chord root position tones placed near `centre` (voice leading by nearest octave). */
function voiceChord(tonicMidiBase: number, tones: number[], centre: number): number[] {
  const out: number[] = [];
  for (const t of tones) {
    let m = tonicMidiBase + t;
    while (m < centre - 6) m += 12;
    while (m > centre + 6) m -= 12;
    out.push(m);
  }
  return out.sort((a, b) => a - b);
}

function nearestMidi(pc: number, target: number): number {
  let m = target - ((((target - pc) % 12) + 12) % 12);
  if (target - m > 6) m += 12;
  return m;
}

interface ChordSpan {
  start: number;
  length: number;
  chord: ChordDegree;
  tones: number[];
}

/**
 * Renders one piece. Cost is a few hundred milliseconds per 30 s of stereo audio; memory is the
 * stereo mix plus a reverb send.
 */
export function renderPiece(spec: PieceSpec): RenderedPiece {
  const sr = SYNTH_SAMPLE_RATE;
  if (!(spec.bpm >= 20 && spec.bpm <= 400)) throw new RangeError(`bpm out of range: ${spec.bpm}`);
  if (!(spec.tuningHz >= 400 && spec.tuningHz <= 480))
    throw new RangeError(`tuningHz out of range: ${spec.tuningHz}`);
  if (!(spec.durationSeconds > 2))
    throw new RangeError(`durationSeconds must be > 2, got ${spec.durationSeconds}`);
  const rng = new Prng(spec.seed);
  const prog = findProgression(spec);
  const bpb = beatsPerBarOf(spec.timeSignature);
  const sub = subdivisionOf(spec.timeSignature);
  const frames = Math.floor(spec.durationSeconds * sr);
  const mix: Mix = createMix(sr, frames, rng.fork());
  const palette = makePalette(rng.fork());
  const leadIn = rng.range(0, 1.2);
  const totalBeats = Math.ceil(((spec.durationSeconds - leadIn) * spec.bpm * 1.2) / 60) + bpb;
  const tl = buildTimeline(spec, rng.fork(), leadIn, totalBeats);
  const totalBars = Math.ceil(totalBeats / bpb);
  const swing =
    spec.drums === 'swung' ? rng.range(0.6, 0.68) : spec.drums === null && rng.chance(0.1) ? 0.64 : 0.5;
  const jitterRng = rng.fork();
  const at = (beat: number): number => {
    const t = timeOf(tl, swingBeat(beat, swing)) + tl.jitterSeconds * jitterRng.gauss();
    return Math.round(t * sr);
  };

  // Harmonic rhythm: bars per chord, slower at fast tempos.
  const barSeconds = (bpb * 60) / spec.bpm;
  const barsPerChord =
    barSeconds < 1.4 ? rng.pick([1, 2, 2]) : barSeconds > 3.2 ? rng.pick([0.5, 1, 1]) : rng.pick([1, 1, 2]);
  const chordBeats = barsPerChord * bpb;
  const tonicBase = 48 + spec.tonic; // tonic in octave 3
  const spans: ChordSpan[] = [];
  for (let b = 0, i = 0; b < totalBeats; b += chordBeats, i++) {
    const chord = prog.chords[i % prog.chords.length];
    spans.push({ start: b, length: chordBeats, chord, tones: chordSemitones(spec.mode, chord) });
  }

  // Arrangement: which parts play, their levels and places.
  const arr = rng.fork();
  const hasDrums = spec.drums !== null;
  let parts = {
    bass: arr.chance(0.9),
    pad: arr.chance(0.6),
    keys: arr.chance(0.45),
    pluck: arr.chance(0.45),
    lead: arr.chance(0.65),
  };
  if (!parts.pad && !parts.keys && !parts.pluck)
    parts = { ...parts, [arr.pick(['pad', 'keys', 'pluck'] as const)]: true };
  if (!hasDrums && !parts.bass && !parts.pluck && !parts.keys) parts = { ...parts, keys: true };
  if (spec.solo)
    parts = { bass: false, pad: false, keys: false, pluck: false, lead: false, [spec.solo]: true };
  const placement = (gainDb: number, panSpread: number, send: number): Placement => ({
    gain: Math.pow(10, (gainDb + arr.range(-5, 5)) / 20),
    pan: arr.range(-panSpread, panSpread),
    send: send * arr.range(0.3, 1.5),
  });
  const pl = {
    kick: placement(-4, 0.05, 0.02),
    snare: placement(-8, 0.2, 0.3),
    hat: placement(-5, 0.6, 0.1),
    bass: placement(-8, 0.05, 0.03),
    pad: placement(-20, 0.5, 0.5),
    keys: placement(-14, 0.5, 0.35),
    pluck: placement(-15, 0.7, 0.35),
    lead: placement(-14, 0.4, 0.4),
  };
  // Some pieces open with several bars of harmony alone (up to 8) before the drums come in.
  const introBars = hasDrums ? arr.pick([0, 0, 1, 2, 4, 8]) : 0;
  const breakStart = hasDrums && arr.chance(0.3) ? arr.int(4, Math.max(5, totalBars - 6)) : -1;
  const breakLen = arr.int(2, 4);
  const drumsOn = (bar: number): boolean =>
    bar >= introBars && !(bar >= breakStart && bar < breakStart + breakLen);

  // Drums
  if (spec.drums && !spec.solo) {
    const d = rng.fork();
    const variants = [grooveBar(spec.drums, d, spec.bpm), grooveBar(spec.drums, d, spec.bpm)];
    const fillEvery = d.pick([4, 8, 0]);
    for (let bar = 0; bar < totalBars; bar++) {
      if (!drumsOn(bar)) continue;
      const groove = variants[bar % 4 === 3 ? 1 : 0];
      for (const hit of groove) {
        const beat = bar * bpb + hit.at;
        if (beat >= totalBeats) continue;
        const start = at(beat);
        if (start >= frames) continue;
        const vel = hit.velocity * (0.85 + 0.15 * d.next());
        switch (hit.voice) {
          case 'kick':
            kick(mix, start, vel, palette.kick, pl.kick);
            break;
          case 'snare':
            noiseHit(mix, start, vel, palette.snare, pl.snare);
            break;
          case 'hat':
            noiseHit(mix, start, vel, palette.hat, pl.hat);
            break;
          case 'openHat':
            noiseHit(mix, start, vel, palette.openHat, pl.hat);
            break;
          case 'ride':
            noiseHit(mix, start, vel, palette.ride, pl.hat);
            break;
        }
      }
      if (fillEvery > 0 && bar % fillEvery === fillEvery - 1 && d.chance(0.7)) {
        const step = 1 / sub / (spec.bpm < 110 ? 2 : 1);
        for (let p = bpb - 1; p < bpb - 1e-9; p += step) {
          noiseHit(mix, at(bar * bpb + p), 0.5 + 0.4 * (p - bpb + 1), palette.snare, pl.snare);
        }
      }
    }
  }

  // Bass
  if (parts.bass) {
    const b = rng.fork();
    const { kind, pattern } = bassPattern(spec, b);
    if (needsComping(spec, parts, kind)) parts = { ...parts, keys: true };
    for (const span of spans) {
      const rootMidi = nearestMidi((spec.tonic + span.tones[0]) % 12, 38 + b.int(-2, 4));
      for (const ev of pattern(span, rootMidi)) {
        if (ev.beat >= totalBeats) continue;
        const bar = Math.floor(ev.beat / bpb);
        if (hasDrums && bar >= breakStart && bar < breakStart + breakLen && b.chance(0.7)) continue;
        const start = at(ev.beat);
        const dur = timeOf(tl, ev.beat + ev.length) - timeOf(tl, ev.beat);
        if (start < frames)
          tone(mix, start, dur * 0.92, midiToHz(ev.midi, spec.tuningHz), ev.velocity, palette.bass, pl.bass);
      }
    }
  }

  // Pad: sustained voice-led chords
  let centre = 60 + rng.int(-3, 5);
  const voicings: number[][] = spans.map((s) => {
    const v = voiceChord(tonicBase, s.tones, centre);
    centre = Math.round((centre * 3 + v.reduce((a, x) => a + x, 0) / v.length) / 4);
    return v;
  });
  if (parts.pad) {
    spans.forEach((s, i) => {
      const start = at(s.start);
      const dur = timeOf(tl, s.start + s.length) - timeOf(tl, s.start);
      if (start >= frames) return;
      for (const m of voicings[i])
        tone(mix, start, dur, midiToHz(m, spec.tuningHz), 0.5, palette.pad, pl.pad);
    });
  }

  // Keys: rhythmic chord stabs
  if (parts.keys) {
    const k = rng.fork();
    const positions = compPattern(spec, k, sub);
    const stabLen = k.range(0.3, 0.9) / sub;
    spans.forEach((s, i) => {
      for (let off = 0; off < s.length; off += bpb) {
        for (const p of positions) {
          const beat = s.start + off + p;
          if (beat >= s.start + s.length || beat >= totalBeats) continue;
          const start = at(beat);
          if (start >= frames) continue;
          const dur = timeOf(tl, beat + stabLen) - timeOf(tl, beat);
          const vel = (Math.abs(p - Math.round(p)) < 1e-6 ? 0.5 : 0.42) * (0.85 + 0.3 * k.next());
          for (const m of voicings[i])
            partials(mix, start, dur, midiToHz(m, spec.tuningHz), vel, palette.keys, pl.keys);
        }
      }
    });
  }

  // Pluck: arpeggiated chord tones
  if (parts.pluck) {
    const p = rng.fork();
    const step = spec.timeSignature === '6/8' ? 1 / 3 : barSeconds / bpb > 0.55 ? p.pick([0.25, 0.5]) : 0.5;
    const shape = p.pick(['up', 'updown', 'random'] as const);
    const octave = p.pick([0, 12]);
    spans.forEach((s, i) => {
      const notes = voicings[i].map((m) => m + octave);
      const seq = shape === 'updown' ? [...notes, ...notes.slice(1, -1).reverse()] : notes;
      let n = 0;
      for (let beat = s.start; beat < s.start + s.length - 1e-9 && beat < totalBeats; beat += step, n++) {
        const m = shape === 'random' ? p.pick(notes) : seq[n % seq.length];
        const start = at(beat);
        if (start >= frames) break;
        const accent = Math.abs(beat - Math.round(beat)) < 1e-6 ? 0.5 : 0.38;
        partials(mix, start, 60 / spec.bpm, midiToHz(m, spec.tuningHz), accent, palette.pluck, pl.pluck);
      }
    });
  }

  // Lead melody with tonic weighting
  if (parts.lead) {
    for (const ev of melody(spec, rng.fork(), spans, totalBeats, bpb)) {
      const start = at(ev.beat);
      if (start >= frames) continue;
      const dur = timeOf(tl, ev.beat + ev.length) - timeOf(tl, ev.beat);
      tone(mix, start, dur * 0.9, midiToHz(ev.midi, spec.tuningHz), ev.velocity, palette.lead, pl.lead);
    }
  }

  applyReverb(mix, rng.range(0.1, 0.9), rng.range(0.8, 1.6));
  finish(mix, spec, rng.fork());

  const beats: number[] = [];
  const downbeats: number[] = [];
  const end = spec.durationSeconds;
  for (let b = 0; b < totalBeats; b++) {
    const t = tl.beatTimes[b];
    if (t >= end) break;
    beats.push(t);
    if (b % bpb === 0) downbeats.push(t);
  }
  return {
    sampleRate: sr,
    channels: [mix.left, mix.right],
    truth: {
      tempoBpm: spec.bpm,
      key: keyLabel(spec.tonic, spec.mode),
      tonic: spec.tonic,
      mode: spec.mode,
      timeSignature: spec.timeSignature,
      beatsPerBar: bpb,
      tuningHz: spec.tuningHz,
      steady: spec.tempoVariation !== 'ramp',
      beats,
      downbeats,
    },
  };
}

export type BassKind =
  'held' | 'beats' | 'eighths' | 'offbeat' | 'root-fifth' | 'syncopated' | 'walking' | 'bar-one' | 'dotted';
type BassPattern = (span: ChordSpan, rootMidi: number) => Event[];

/** Bass patterns that sound once a bar: they mark the bar, not the beat. */
const ONCE_A_BAR: readonly BassKind[] = ['held', 'bar-one'];

/**
 * A piece without drums needs an accompaniment that sounds inside the bar (keys, pluck, or a bass
 * that moves), or its notated beat is not in the audio: a bass note once a bar under a held pad
 * sounds the same written in 3/4 at 150 BPM, in 6/8 at 100 or in 4/4 at 200, so no listener or
 * estimator could recover the tempo the set claims (set version 3; version 2 rendered such pieces,
 * e.g. seed 2024's syn069 and syn089). The keys then comp, as they already do when a drumless
 * piece has no bass.
 */
export function needsComping(
  spec: Pick<PieceSpec, 'drums' | 'solo'>,
  parts: { readonly keys: boolean; readonly pluck: boolean },
  bassKind: BassKind,
): boolean {
  return spec.drums === null && !spec.solo && !parts.keys && !parts.pluck && ONCE_A_BAR.includes(bassKind);
}

function bassPattern(spec: PieceSpec, rng: Prng): { kind: BassKind; pattern: BassPattern } {
  const bpb = beatsPerBarOf(spec.timeSignature);
  const fifth = (span: ChordSpan, root: number): number => root + (span.tones[2] - span.tones[0]);
  const ev = (beat: number, length: number, midi: number, velocity = 0.7): Event => ({
    beat,
    length,
    midi,
    velocity,
  });
  const kind: BassKind =
    spec.timeSignature === '6/8'
      ? rng.pick(['dotted', 'beats', 'held'] as const)
      : spec.timeSignature === '3/4'
        ? rng.pick(['bar-one', 'beats', 'root-fifth'] as const)
        : spec.drums === 'swung'
          ? rng.pick(['walking', 'beats'] as const)
          : spec.drums === 'half-time'
            ? rng.pick(['held', 'syncopated'] as const)
            : spec.drums === 'four-on-the-floor'
              ? rng.pick(['offbeat', 'eighths', 'beats'] as const)
              : rng.pick(['beats', 'eighths', 'root-fifth', 'syncopated', 'held'] as const);
  const pattern: BassPattern = (span, root) => {
    const out: Event[] = [];
    for (let bar = 0; bar < span.length; bar += bpb) {
      const b0 = span.start + bar;
      const len = Math.min(bpb, span.length - bar);
      switch (kind) {
        case 'held':
          out.push(ev(b0, len, root, 0.8));
          break;
        case 'beats':
          for (let b = 0; b < len; b++) out.push(ev(b0 + b, 0.9, root, b === 0 ? 0.8 : 0.65));
          break;
        case 'eighths':
          for (let b = 0; b < len; b += 0.5) out.push(ev(b0 + b, 0.45, root, b % 1 === 0 ? 0.75 : 0.6));
          break;
        case 'offbeat':
          for (let b = 0; b < len; b++) out.push(ev(b0 + b + 0.5, 0.45, root, 0.75));
          break;
        case 'root-fifth':
          out.push(ev(b0, len / 2, root, 0.8));
          if (len > 1) out.push(ev(b0 + Math.ceil(len / 2), len / 2, fifth(span, root) - 12, 0.7));
          break;
        case 'syncopated':
          for (const [p, l] of [
            [0, 0.75],
            [0.75, 0.75],
            [1.5, 1],
            [2.5, 0.5],
            [3, 1],
          ] as const) {
            if (p < len) out.push(ev(b0 + p, l, p === 2.5 ? root + 12 : root, p === 0 ? 0.8 : 0.6));
          }
          break;
        case 'walking': {
          // root on the one, then chord and scale tones stepping around it
          for (let b = 0; b < len; b++) {
            const m = b === 0 ? root : root + degreeSemitones(spec.mode, rng.int(1, 5));
            out.push(ev(b0 + b, 0.9, m, b === 0 ? 0.75 : 0.6));
          }
          break;
        }
        case 'bar-one':
          out.push(ev(b0, 2, root, 0.8));
          break;
        case 'dotted':
          out.push(ev(b0, 2 / 3, root, 0.8));
          out.push(ev(b0 + 2 / 3, 1 / 3, root, 0.5));
          if (len > 1) out.push(ev(b0 + 1, 1, fifth(span, root) - 12, 0.7));
          break;
      }
    }
    return out;
  };
  return { kind, pattern };
}

function compPattern(spec: PieceSpec, rng: Prng, sub: number): number[] {
  if (spec.timeSignature === '6/8')
    return rng.pick([
      [0, 1],
      [0, 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3],
      [0, 2 / 3, 1, 5 / 3],
    ]);
  if (spec.timeSignature === '3/4')
    return rng.pick([
      [0, 1, 2],
      [1, 2],
      [0, 1.5, 2],
    ]);
  if (sub !== 2) return [0];
  return rng.pick([
    [0, 1, 2, 3],
    [0.5, 1.5, 2.5, 3.5],
    [1, 3],
    [0, 1.5, 3],
    [0, 0.5, 1.5, 2, 3],
    [0, 2],
  ]);
}

/** Melody: rhythm motifs repeated per phrase, stepwise pitch choice weighted towards chord tones and the tonic. */
function melody(spec: PieceSpec, rng: Prng, spans: ChordSpan[], totalBeats: number, bpb: number): Event[] {
  const motifs =
    spec.timeSignature === '6/8'
      ? [
          [1 / 3, 1 / 3, 1 / 3, 1],
          [2 / 3, 1 / 3, 2 / 3, 1 / 3],
          [1, 1],
          [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3],
        ]
      : spec.timeSignature === '3/4'
        ? [
            [1, 1, 1],
            [2, 1],
            [1.5, 0.5, 1],
            [1, 0.5, 0.5, 1],
          ]
        : [
            [1, 1, 1, 1],
            [1.5, 0.5, 1, 1],
            [0.5, 0.5, 1, 2],
            [2, 2],
            [1, 0.5, 0.5, 2],
            [0.5, 0.5, 0.5, 0.5, 1, 1],
            [1.5, 1.5, 1],
          ];
  const phraseBars = rng.pick([2, 4]);
  const motifA = rng.pick(motifs);
  const motifB = rng.pick(motifs);
  const tonicEmphasis = rng.range(1.2, 3);
  const restChance = rng.range(0, 0.25);
  const out: Event[] = [];
  let deg = 7 + rng.pick([0, 2, 4]); // scale degree index, octave 1 above the tonic octave
  const baseMidi = 60 + spec.tonic - (spec.tonic > 6 ? 12 : 0);
  const chordAt = (beat: number): ChordSpan =>
    spans[Math.min(spans.length - 1, Math.floor(beat / spans[0].length))];
  for (let bar = 0; bar * bpb < totalBeats; bar++) {
    const motif = bar % phraseBars === phraseBars - 1 ? motifB : motifA;
    let pos = 0;
    for (let n = 0; n < motif.length; n++) {
      const beat = bar * bpb + pos;
      const len = motif[n];
      pos += len;
      if (rng.chance(restChance)) continue;
      const span = chordAt(beat);
      const chordPcs = span.tones.map((t) => ((t % 12) + 12) % 12);
      const strong = Math.abs(beat - Math.round(beat)) < 1e-6;
      const phraseEnd = bar % phraseBars === phraseBars - 1 && n === motif.length - 1;
      const weights: number[] = [];
      const cands: number[] = [];
      for (let step = -4; step <= 4; step++) {
        const cd = deg + step;
        if (cd < 3 || cd > 16) continue;
        const semis = degreeSemitones(spec.mode, cd, span.chord.harmonic === true);
        const pc = ((semis % 12) + 12) % 12;
        let w = Math.exp(-Math.abs(step) / 1.5);
        if (chordPcs.includes(pc)) w *= strong ? 4 : 1.5;
        if (pc === 0) w *= phraseEnd ? tonicEmphasis * 3 : tonicEmphasis;
        if (phraseEnd && !chordPcs.includes(pc)) w *= 0.1;
        cands.push(cd);
        weights.push(w);
      }
      deg = cands[rng.weighted(weights)];
      const semis = degreeSemitones(spec.mode, deg, span.chord.harmonic === true);
      out.push({ beat, length: len, midi: baseMidi + semis - 12, velocity: strong ? 0.6 : 0.5 });
    }
  }
  return out;
}

/** Master: optional noise and fades, then peak normalisation to a random level (some quiet, some loud and clipped). */
function finish(mix: Mix, spec: PieceSpec, rng: Prng): void {
  const { left, right } = mix;
  const n = left.length;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(left[i]), Math.abs(right[i]));
  // A NaN anywhere spreads through the reverb to the whole piece: refuse it rather than write it.
  if (!Number.isFinite(peak)) throw new Error(`piece ${spec.id} rendered non-finite samples`);
  const loud = rng.chance(0.3);
  const target = loud ? 1.6 : Math.pow(10, rng.range(-18, -1) / 20);
  const g = peak > 0 ? target / peak : 1;
  for (let i = 0; i < n; i++) {
    let l = left[i] * g;
    let r = right[i] * g;
    if (loud) {
      l = Math.tanh(l) * 0.97;
      r = Math.tanh(r) * 0.97;
    }
    left[i] = l;
    right[i] = r;
  }
  const deg = spec.degradation;
  if (!deg) return;
  if (deg.noiseSnrDb !== undefined) {
    let e = 0;
    for (let i = 0; i < n; i++) e += left[i] * left[i] + right[i] * right[i];
    const rms = Math.sqrt(e / (2 * n));
    const nr = rms * Math.pow(10, -deg.noiseSnrDb / 20) * Math.sqrt(3);
    for (let i = 0; i < n; i++) {
      left[i] += nr * (2 * rng.next() - 1);
      right[i] += nr * (2 * rng.next() - 1);
    }
  }
  const sr = mix.sampleRate;
  if (deg.fadeInSeconds) {
    const m = Math.min(n, Math.floor(deg.fadeInSeconds * sr));
    for (let i = 0; i < m; i++) {
      const g2 = (i / m) * (i / m);
      left[i] *= g2;
      right[i] *= g2;
    }
  }
  if (deg.fadeOutSeconds) {
    const m = Math.min(n, Math.floor(deg.fadeOutSeconds * sr));
    for (let i = 0; i < m; i++) {
      const g2 = (i / m) * (i / m);
      left[n - 1 - i] *= g2;
      right[n - 1 - i] *= g2;
    }
  }
}

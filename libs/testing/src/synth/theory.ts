/**
 * Just enough music theory for the synthetic renderer: scales, diatonic chords, progressions and
 * key names. Pitch classes are semitones above C (0..11); MIDI 69 = A4.
 */
export type Mode = 'major' | 'minor';

/** Tonic spellings musicians expect for key names (one spelling per pitch class). */
export const TONIC_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

export const MAJOR_SCALE: readonly number[] = [0, 2, 4, 5, 7, 9, 11];
export const NATURAL_MINOR_SCALE: readonly number[] = [0, 2, 3, 5, 7, 8, 10];

export function keyLabel(tonic: number, mode: Mode): string {
  return `${TONIC_NAMES[((tonic % 12) + 12) % 12]} ${mode}`;
}

/** A chord as a scale degree (0 = tonic) with an optional raised third (harmonic-minor V). */
export interface ChordDegree {
  readonly degree: number;
  /** Use the harmonic-minor leading tone (major V / diminished vii in minor). */
  readonly harmonic?: boolean;
  /** Add the diatonic seventh. */
  readonly seventh?: boolean;
}

export interface Progression {
  readonly name: string;
  readonly mode: Mode;
  readonly chords: readonly ChordDegree[];
}

const d = (degree: number, harmonic = false, seventh = false): ChordDegree => ({ degree, harmonic, seventh });

/** Common progressions; several start away from the tonic, as real songs do. */
export const PROGRESSIONS: readonly Progression[] = [
  { name: 'I-V-vi-IV', mode: 'major', chords: [d(0), d(4), d(5), d(3)] },
  { name: 'I-IV-V-I', mode: 'major', chords: [d(0), d(3), d(4), d(0)] },
  {
    name: 'ii-V-I-I',
    mode: 'major',
    chords: [d(1, false, true), d(4, false, true), d(0, false, true), d(0, false, true)],
  },
  { name: 'I-vi-IV-V', mode: 'major', chords: [d(0), d(5), d(3), d(4)] },
  { name: 'vi-IV-I-V', mode: 'major', chords: [d(5), d(3), d(0), d(4)] },
  { name: 'I-IV-vi-V', mode: 'major', chords: [d(0), d(3), d(5), d(4)] },
  { name: 'I-iii-IV-V', mode: 'major', chords: [d(0), d(2), d(3), d(4)] },
  { name: 'IV-V-I-I', mode: 'major', chords: [d(3), d(4), d(0), d(0)] },
  { name: 'I-I-IV-V', mode: 'major', chords: [d(0), d(0), d(3), d(4, false, true)] },
  { name: 'i-VI-III-VII', mode: 'minor', chords: [d(0), d(5), d(2), d(6)] },
  { name: 'i-iv-v-i', mode: 'minor', chords: [d(0), d(3), d(4), d(0)] },
  { name: 'i-VII-VI-VII', mode: 'minor', chords: [d(0), d(6), d(5), d(6)] },
  { name: 'i-iv-VII-III', mode: 'minor', chords: [d(0), d(3), d(6), d(2)] },
  { name: 'i-VI-iv-V', mode: 'minor', chords: [d(0), d(5), d(3), d(4, true)] },
  { name: 'i-iv-i-V', mode: 'minor', chords: [d(0), d(3), d(0), d(4, true, true)] },
  { name: 'i-VI-VII-i', mode: 'minor', chords: [d(0), d(5), d(6), d(0)] },
  { name: 'ii-V-i-i', mode: 'minor', chords: [d(1, false, true), d(4, true, true), d(0), d(0)] },
  { name: 'i-i-VI-VII', mode: 'minor', chords: [d(0), d(0), d(5), d(6)] },
];

export function scaleOf(mode: Mode): readonly number[] {
  return mode === 'major' ? MAJOR_SCALE : NATURAL_MINOR_SCALE;
}

/** Semitone offset (from the tonic) of a scale degree, any octave; `raiseSeventh` for harmonic minor. */
export function degreeSemitones(mode: Mode, degree: number, raiseSeventh = false): number {
  const scale = scaleOf(mode);
  const octave = Math.floor(degree / 7);
  const idx = ((degree % 7) + 7) % 7;
  let semis = scale[idx];
  if (raiseSeventh && mode === 'minor' && idx === 6) semis = 11;
  return semis + 12 * octave;
}

/** Chord tones as semitones above the tonic (root position, within about an octave and a half). */
export function chordSemitones(mode: Mode, chord: ChordDegree): number[] {
  const tones = [chord.degree, chord.degree + 2, chord.degree + 4];
  if (chord.seventh) tones.push(chord.degree + 6);
  return tones.map((deg) => degreeSemitones(mode, deg, chord.harmonic === true));
}

export function midiToHz(midi: number, tuningHz: number): number {
  return tuningHz * Math.pow(2, (midi - 69) / 12);
}

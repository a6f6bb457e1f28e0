/** Key names and DJ notations. Pitch classes are semitones above C. */
export type Tonic = 'C' | 'C#' | 'D' | 'Eb' | 'E' | 'F' | 'F#' | 'G' | 'Ab' | 'A' | 'Bb' | 'B';
export type KeyMode = 'major' | 'minor';

/** The spelling musicians expect in key names (C#, Eb, F#, Ab, Bb). */
export const TONICS: readonly Tonic[] = Object.freeze([
  'C',
  'C#',
  'D',
  'Eb',
  'E',
  'F',
  'F#',
  'G',
  'Ab',
  'A',
  'Bb',
  'B',
]);

const ALIASES: Readonly<Record<string, number>> = Object.freeze({
  C: 0,
  'B#': 0,
  'C#': 1,
  Db: 1,
  D: 2,
  'D#': 3,
  Eb: 3,
  E: 4,
  Fb: 4,
  'E#': 5,
  F: 5,
  'F#': 6,
  Gb: 6,
  G: 7,
  'G#': 8,
  Ab: 8,
  A: 9,
  'A#': 10,
  Bb: 10,
  B: 11,
  Cb: 11,
});

export function tonicName(pitchClass: number): Tonic {
  return TONICS[((Math.round(pitchClass) % 12) + 12) % 12];
}

export function keyLabelOf(pitchClass: number, mode: KeyMode): string {
  return `${tonicName(pitchClass)} ${mode}`;
}

/** Camelot wheel code: 8B = C major, 8A = A minor; one step per fifth. */
export function camelotOf(pitchClass: number, mode: KeyMode): string {
  const major = mode === 'major' ? pitchClass : pitchClass + 3;
  const n = ((((7 * major + 7) % 12) + 12) % 12) + 1;
  return `${n}${mode === 'major' ? 'B' : 'A'}`;
}

/** Open Key notation: 1d = C major, 1m = A minor. */
export function openKeyOf(pitchClass: number, mode: KeyMode): string {
  const major = mode === 'major' ? pitchClass : pitchClass + 3;
  const n = ((((7 * major) % 12) + 12) % 12) + 1;
  return `${n}${mode === 'major' ? 'd' : 'm'}`;
}

export interface ParsedKey {
  readonly pitchClass: number;
  readonly mode: KeyMode;
}

/**
 * Parses "F# minor", "Gb major", "Am", "C#m", "Bb maj", "E min", "D dorian" (modes other than
 * major/minor map to their parent major/minor flavour: dorian/phrygian/aeolian -> minor).
 * Returns null when the text is not a key.
 */
export function parseKey(text: string): ParsedKey | null {
  const m = /^\s*([A-Ga-g])\s*([#♯b♭]?)\s*(.*)$/.exec(text);
  if (!m) return null;
  const letter = m[1].toUpperCase();
  const acc = m[2] === '♯' ? '#' : m[2] === '♭' ? 'b' : m[2];
  const pc = ALIASES[letter + acc];
  if (pc === undefined) return null;
  const rest = m[3].trim().toLowerCase();
  let mode: KeyMode;
  if (rest === '' || /^(maj|major|ionian|lydian|mixolydian)\b/.test(rest)) mode = 'major';
  else if (/^(m|min|minor|aeolian|dorian|phrygian)\b/.test(rest) || rest === 'm') mode = 'minor';
  else return null;
  return { pitchClass: pc, mode };
}

export type KeyRelation = 'same' | 'fifth' | 'relative' | 'parallel' | 'other';

/**
 * Relation of an estimated key to a reference key, as scored by MIREX (same 1.0, perfect fifth
 * 0.5, relative 0.3, parallel 0.2). "fifth" is the estimate a perfect fifth above the reference
 * in the same mode (mir_eval.key.weighted_score); `allowDescendingFifth` also credits a fifth below.
 */
export function keyRelation(
  estimate: ParsedKey,
  reference: ParsedKey,
  allowDescendingFifth = false,
): KeyRelation {
  const d = (((estimate.pitchClass - reference.pitchClass) % 12) + 12) % 12;
  if (estimate.mode === reference.mode) {
    if (d === 0) return 'same';
    if (d === 7 || (allowDescendingFifth && d === 5)) return 'fifth';
    return 'other';
  }
  if (d === 0) return 'parallel';
  if (reference.mode === 'major' && d === 9) return 'relative';
  if (reference.mode === 'minor' && d === 3) return 'relative';
  return 'other';
}

export const MIREX_KEY_WEIGHTS: Readonly<Record<KeyRelation, number>> = Object.freeze({
  same: 1,
  fifth: 0.5,
  relative: 0.3,
  parallel: 0.2,
  other: 0,
});

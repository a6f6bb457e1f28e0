/**
 * Key profiles: expected weight of each pitch class (0 = tonic) in a major and a minor key.
 * Values as published by their authors (and as tabulated in Essentia's Key / KeyEDM algorithms).
 */
export interface KeyProfile {
  readonly name: string;
  readonly source: string;
  readonly major: readonly number[];
  readonly minor: readonly number[];
}

export const KEY_PROFILES: Readonly<Record<string, KeyProfile>> = Object.freeze({
  krumhansl: {
    name: 'krumhansl',
    source: 'Krumhansl & Kessler 1982, probe-tone ratings',
    major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
    minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
  },
  temperley: {
    name: 'temperley',
    source: "Temperley 1999, What's key for key?",
    major: [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0],
    minor: [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0],
  },
  temperley2005: {
    name: 'temperley2005',
    source: 'Temperley 2005 (MIREX), Kostka-Payne corpus',
    major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
    minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
  },
  shaath: {
    name: 'shaath',
    source: "Sha'ath 2011, libKeyFinder (Krumhansl tuned for popular/electronic music)",
    major: [6.6, 2.0, 3.5, 2.3, 4.6, 4.0, 2.5, 5.2, 2.4, 3.7, 2.3, 3.4],
    minor: [6.5, 2.7, 3.5, 5.4, 2.6, 3.5, 2.5, 5.2, 4.0, 2.7, 4.3, 3.2],
  },
  edma: {
    name: 'edma',
    source: 'Faraldo et al. 2016, electronic dance music corpus (automatic)',
    major: [1.0, 0.2875, 0.502, 0.4048, 0.605, 0.5614, 0.3205, 0.7966, 0.3159, 0.4506, 0.4202, 0.3889],
    minor: [1.0, 0.3096, 0.4415, 0.5827, 0.3262, 0.4948, 0.2889, 0.7804, 0.4328, 0.2903, 0.5331, 0.3217],
  },
  bgate: {
    name: 'bgate',
    source: 'Faraldo et al. 2017 (Essentia KeyExtractor default), Beatport corpus, gated',
    major: [1.0, 0.0, 0.42, 0.0, 0.53, 0.37, 0.0, 0.77, 0.0, 0.38, 0.21, 0.3],
    minor: [1.0, 0.0, 0.36, 0.39, 0.0, 0.38, 0.0, 0.74, 0.27, 0.0, 0.42, 0.23],
  },
  braw: {
    name: 'braw',
    source: 'Faraldo et al. 2017, Beatport corpus, raw',
    major: [1.0, 0.1573, 0.42, 0.157, 0.5296, 0.3669, 0.1632, 0.7711, 0.1676, 0.3827, 0.2113, 0.2965],
    minor: [1.0, 0.233, 0.3615, 0.3905, 0.2925, 0.3777, 0.1961, 0.7425, 0.2701, 0.2161, 0.4228, 0.2272],
  },
  aarden: {
    name: 'aarden',
    source: 'Aarden 2003, Essen folk-song corpus',
    major: [
      17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062, 0.145624, 8.15494, 0.232998,
      4.95122,
    ],
    minor: [
      18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186, 7.37619,
      1.75623,
    ],
  },
  bellman: {
    name: 'bellman',
    source: 'Bellman 2005 / Budge 1943, chord statistics of classical music',
    major: [16.8, 0.86, 12.95, 1.41, 13.49, 11.93, 1.25, 20.28, 1.8, 8.04, 0.62, 10.57],
    minor: [18.16, 0.69, 12.99, 13.34, 1.07, 11.15, 1.38, 21.07, 7.49, 1.53, 6.24, 1.61],
  },
  diatonic: {
    name: 'diatonic',
    source: 'binary scale membership (natural minor)',
    major: [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1],
    minor: [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0],
  },
});

export type KeyProfileName = keyof typeof KEY_PROFILES;

export interface KeyScore {
  readonly pitchClass: number;
  readonly mode: 'major' | 'minor';
  /** Pearson correlation of the chroma with the rotated profile, -1..1. */
  readonly score: number;
}

/**
 * Krumhansl-Schmuckler key finding: Pearson correlation of a 12-bin chroma vector with each of the
 * 24 rotated profiles (Krumhansl 1990, ch. 4). Returns all 24 scores, best first.
 */
export function correlateKeys(chroma: ArrayLike<number>, profile: KeyProfile): KeyScore[] {
  const out: KeyScore[] = [];
  for (const mode of ['major', 'minor'] as const) {
    const p = mode === 'major' ? profile.major : profile.minor;
    for (let tonic = 0; tonic < 12; tonic++) {
      const rotated = new Array<number>(12);
      for (let i = 0; i < 12; i++) rotated[(i + tonic) % 12] = p[i];
      out.push({ pitchClass: tonic, mode, score: pearson(chroma, rotated) });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  const d = Math.sqrt(saa * sbb);
  return d > 0 ? sab / d : 0;
}

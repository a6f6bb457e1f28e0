/**
 * Fitting of the octave scorer (OctaveModel of @pressline/dsp): a linear term plus one hidden
 * layer of tanh units over standardised features, trained as a listwise softmax over each piece's
 * candidates (the probability given to the candidates within 4 % of the truth is maximised), with
 * a second term for the candidates within Acc2 (x2, x3, x1/2, x1/3) weighted by `acc2Weight`, L2
 * regularisation and full-batch Adam. Deterministic: the same pieces and options give the same
 * model.
 */
import type { OctaveModel } from '@pressline/dsp';

export interface OctavePiece {
  /** One feature vector per candidate. */
  readonly features: readonly Float64Array[];
  /** Per candidate: within 4 % of the truth. */
  readonly correct: readonly boolean[];
  /** Per candidate: within 4 % of the truth times 1, 2, 3, 1/2 or 1/3. */
  readonly related: readonly boolean[];
}

export interface OctaveFitOptions {
  readonly hidden: number;
  readonly iterations: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly acc2Weight: number;
  readonly seed: number;
  /** Networks fitted from different initial weights and averaged (as one wider network). */
  readonly members: number;
}

export const OCTAVE_FIT_DEFAULTS: OctaveFitOptions = Object.freeze({
  hidden: 12,
  iterations: 400,
  learningRate: 0.02,
  l2: 1e-3,
  acc2Weight: 0,
  seed: 12345,
  members: 3,
});

interface Params {
  u: Float64Array;
  W: Float64Array[];
  b: Float64Array;
  v: Float64Array;
}

function score(p: Params, x: Float64Array, hid?: Float64Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += p.u[j] * x[j];
  for (let k = 0; k < p.W.length; k++) {
    const w = p.W[k];
    let a = p.b[k];
    for (let j = 0; j < x.length; j++) a += w[j] * x[j];
    const h = Math.tanh(a);
    if (hid) hid[k] = h;
    s += p.v[k] * h;
  }
  return s;
}

/**
 * The average of `options.members` networks (initial weights from seeds `seed`, `seed` + 7919, ...):
 * their hidden units side by side with the output weights divided by the count, the linear terms
 * averaged. Averaging evens out what one fit owes to its starting point.
 */
export function fitOctaveModel(
  pieces: readonly OctavePiece[],
  featureNames: readonly string[],
  options: OctaveFitOptions = OCTAVE_FIT_DEFAULTS,
  trainedOn = '',
  onProgress?: (member: number, iteration: number, loss: number) => void,
): OctaveModel {
  const fits = memberOptions(options).map((o, m) =>
    fitOne(pieces, featureNames, o, trainedOn, (it, loss) => onProgress?.(m, it, loss)),
  );
  return averageModels(fits);
}

/** The options of each member network: one network each, initial weights from `seed` + 7919 m. */
export function memberOptions(options: OctaveFitOptions): OctaveFitOptions[] {
  const k = Math.max(1, Math.round(options.members));
  return Array.from({ length: k }, (_, m) => ({ ...options, members: 1, seed: options.seed + 7919 * m }));
}

/** One model from member networks fitted on the same pieces (same standardisation). */
export function averageModels(fits: readonly OctaveModel[]): OctaveModel {
  const k = fits.length;
  if (k === 1) return fits[0];
  const r = (x: number): number => Number(x.toPrecision(6));
  return {
    ...fits[0],
    linear: fits[0].linear.map((_, j) => r(fits.reduce((a, f) => a + f.linear[j], 0) / k)),
    hidden: fits.flatMap((f) => f.hidden.map((h) => ({ ...h, out: r(h.out / k) }))),
  };
}

function fitOne(
  pieces: readonly OctavePiece[],
  featureNames: readonly string[],
  options: OctaveFitOptions,
  trainedOn: string,
  onProgress: (iteration: number, loss: number) => void,
): OctaveModel {
  const D = featureNames.length;
  const usable = pieces.filter((p) => p.correct.some(Boolean) && p.features.length > 1);
  if (usable.length === 0) throw new Error('no piece has a correct candidate');
  // standardisation over all candidates
  const mean = new Float64Array(D);
  const scale = new Float64Array(D);
  let n = 0;
  for (const p of usable)
    for (const x of p.features) {
      for (let j = 0; j < D; j++) mean[j] += x[j];
      n++;
    }
  for (let j = 0; j < D; j++) mean[j] /= n;
  for (const p of usable)
    for (const x of p.features) for (let j = 0; j < D; j++) scale[j] += (x[j] - mean[j]) ** 2;
  for (let j = 0; j < D; j++) scale[j] = Math.sqrt(scale[j] / n) || 1;
  const Z = usable.map((p) =>
    p.features.map((x) => Float64Array.from(x, (v, j) => (v - mean[j]) / scale[j])),
  );

  let state = options.seed >>> 0;
  const rnd = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const H = options.hidden;
  const p: Params = {
    u: new Float64Array(D),
    W: Array.from({ length: H }, () => Float64Array.from({ length: D }, () => rnd() * 0.3)),
    b: new Float64Array(H),
    v: Float64Array.from({ length: H }, () => rnd() * 0.3),
  };
  const all = (q: Params): Float64Array[] => [q.u, ...q.W, q.b, q.v];
  const m1 = all(p).map((a) => new Float64Array(a.length));
  const m2 = all(p).map((a) => new Float64Array(a.length));
  const lam = options.acc2Weight;
  for (let it = 1; it <= options.iterations; it++) {
    const g: Params = {
      u: new Float64Array(D),
      W: Array.from({ length: H }, () => new Float64Array(D)),
      b: new Float64Array(H),
      v: new Float64Array(H),
    };
    let loss = 0;
    usable.forEach((piece, pi) => {
      const zs = Z[pi];
      const hids = zs.map(() => new Float64Array(H));
      const s = zs.map((x, i) => score(p, x, hids[i]));
      const top = Math.max(...s);
      const e = s.map((v) => Math.exp(v - top));
      const sum = e.reduce((a, b) => a + b, 0);
      const good = e.reduce((a, v, i) => a + (piece.correct[i] ? v : 0), 0);
      const near = e.reduce((a, v, i) => a + (piece.related[i] ? v : 0), 0);
      loss -= Math.log(good / sum) + (lam > 0 ? lam * Math.log(near / sum) : 0);
      for (let i = 0; i < zs.length; i++) {
        let c = e[i] / sum - (piece.correct[i] ? e[i] / good : 0);
        if (lam > 0) c += lam * (e[i] / sum - (piece.related[i] ? e[i] / near : 0));
        if (c === 0) continue;
        const x = zs[i];
        for (let j = 0; j < D; j++) g.u[j] += c * x[j];
        for (let k = 0; k < H; k++) {
          const h = hids[i][k];
          g.v[k] += c * h;
          const dk = c * p.v[k] * (1 - h * h);
          g.b[k] += dk;
          const gw = g.W[k];
          for (let j = 0; j < D; j++) gw[j] += dk * x[j];
        }
      }
    });
    const N = usable.length;
    const params = all(p);
    const grads = all(g);
    params.forEach((a, ai) => {
      const decay = a === p.b ? 0 : options.l2;
      for (let j = 0; j < a.length; j++) {
        const gr = grads[ai][j] / N + decay * a[j];
        m1[ai][j] = 0.9 * m1[ai][j] + 0.1 * gr;
        m2[ai][j] = 0.999 * m2[ai][j] + 0.001 * gr * gr;
        a[j] -=
          (options.learningRate * (m1[ai][j] / (1 - 0.9 ** it))) /
          (Math.sqrt(m2[ai][j] / (1 - 0.999 ** it)) + 1e-8);
      }
    });
    onProgress(it, loss / N);
  }
  const r = (x: number): number => Number(x.toPrecision(6));
  return {
    features: [...featureNames],
    mean: Array.from(mean, r),
    scale: Array.from(scale, r),
    linear: Array.from(p.u, r),
    hidden: p.W.map((w, k) => ({ weights: Array.from(w, r), bias: r(p.b[k]), out: r(p.v[k]) })),
    trainedOn,
  };
}

/** Evaluation measures for tempo, key, beats and tuning. */
import { keyRelation, parseKey, MIREX_KEY_WEIGHTS, type KeyRelation } from '@pressline/dsp';

/** Acc1: within 4 % of the reference. */
export function tempoAcc1(estimate: number, reference: number, tolerance = 0.04): boolean {
  return estimate > 0 && Math.abs(estimate - reference) <= tolerance * reference;
}

/** Acc2: Acc1 at the reference times 1, 2, 3, 1/2 or 1/3. */
export function tempoAcc2(estimate: number, reference: number, tolerance = 0.04): boolean {
  return [1, 2, 3, 1 / 2, 1 / 3].some((f) => tempoAcc1(estimate, reference * f, tolerance));
}

export interface KeyOutcome {
  readonly relation: KeyRelation;
  readonly weight: number;
}

export function keyOutcome(estimate: string, reference: string): KeyOutcome | null {
  const e = parseKey(estimate);
  const r = parseKey(reference);
  if (!r) return null;
  if (!e) return { relation: 'other', weight: 0 };
  const relation = keyRelation(e, r);
  return { relation, weight: MIREX_KEY_WEIGHTS[relation] };
}

/** Beat F-measure with a +-70 ms window (MIREX / mir_eval beat.f_measure), first 5 s of reference skipped. */
export function beatFMeasure(
  estimate: readonly number[],
  reference: readonly number[],
  window = 0.07,
  skip = 5,
): number {
  const ref = reference.filter((t) => t >= skip);
  const est = estimate.filter((t) => t >= skip);
  if (ref.length === 0 || est.length === 0) return ref.length === 0 && est.length === 0 ? 1 : 0;
  let hits = 0;
  const used = new Uint8Array(est.length);
  let j = 0;
  for (const r of ref) {
    while (j < est.length && est[j] < r - window) j++;
    for (let k = j; k < est.length && est[k] <= r + window; k++) {
      if (!used[k]) {
        used[k] = 1;
        hits++;
        break;
      }
    }
  }
  const p = hits / est.length;
  const rc = hits / ref.length;
  return p + rc > 0 ? (2 * p * rc) / (p + rc) : 0;
}

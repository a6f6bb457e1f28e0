import type { Decibels } from '../../units';

/** Modified Bessel function of the first kind, order 0 (power series; converges for all x). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Kaiser window shape parameter for a low-pass with stopband attenuation `attenuation` dB
 * (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function", 1974).
 */
export function kaiserBeta(attenuation: Decibels): number {
  if (!(attenuation > 0)) throw new RangeError(`attenuation must be > 0 dB, got ${attenuation}`);
  if (attenuation > 50) return 0.1102 * (attenuation - 8.7);
  if (attenuation >= 21) return 0.5842 * Math.pow(attenuation - 21, 0.4) + 0.07886 * (attenuation - 21);
  return 0;
}

/**
 * Kaiser's length estimate: taps needed for `attenuation` dB with a transition band of
 * `transitionWidth` cycles per sample (N - 1 = (A - 7.95) / (2.285 * 2 pi df)).
 */
export function kaiserLength(attenuation: Decibels, transitionWidth: number): number {
  if (!(transitionWidth > 0 && transitionWidth < 0.5)) {
    throw new RangeError(`transition width must be in (0, 0.5) cycles/sample, got ${transitionWidth}`);
  }
  return Math.ceil((attenuation - 7.95) / (2.285 * 2 * Math.PI * transitionWidth)) + 1;
}

/** Kaiser window value at normalised position u in [-1, 1] (0 outside). */
export function kaiserWindow(u: number, beta: number, i0Beta = besselI0(beta)): number {
  if (u <= -1 || u >= 1) return 0;
  return besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta;
}

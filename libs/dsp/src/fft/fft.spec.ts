import { ComplexFft, RealFft, hannWindow } from './fft';

function naiveDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      sr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      si -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    re.push(sr);
    im.push(si);
  }
  return { re, im };
}

function noise(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

describe('ComplexFft', () => {
  it('matches a naive DFT on random input', () => {
    const x = noise(64);
    const re = Float64Array.from(x);
    const im = new Float64Array(64);
    new ComplexFft(64).forward(re, im);
    const ref = naiveDft(x);
    for (let k = 0; k < 64; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 9);
      expect(im[k]).toBeCloseTo(ref.im[k], 9);
    }
  });
  it('rejects sizes that are not powers of two', () => {
    expect(() => new ComplexFft(100)).toThrow(RangeError);
  });
});

describe('RealFft', () => {
  it('matches a naive DFT for bins 0..N/2', () => {
    const x = noise(128, 7);
    const re = new Float64Array(65);
    const im = new Float64Array(65);
    new RealFft(128).forward(x, re, im);
    const ref = naiveDft(x);
    for (let k = 0; k <= 64; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 9);
      expect(im[k]).toBeCloseTo(ref.im[k], 9);
    }
  });
  it('puts a bin-centred sine into its bin', () => {
    const n = 1024;
    const x = Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 37 * i) / n));
    const p = new Float64Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, p);
    const peak = p.indexOf(Math.max(...p));
    expect(peak).toBe(37);
    expect(Math.sqrt(p[37])).toBeCloseTo(n / 2, 6);
  });
});

describe('hannWindow', () => {
  it('is zero at the start and one at the centre', () => {
    const w = hannWindow(8);
    expect(w[0]).toBe(0);
    expect(w[4]).toBeCloseTo(1, 12);
  });
});

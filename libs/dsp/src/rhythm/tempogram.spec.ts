import { autocorrelation, movingAverage } from './periodicity';
import {
  TEMPOGRAM_DEFAULTS,
  TempogramAccumulator,
  TonalFlux,
  bandTempogramsOf,
  type Tempogram,
} from './tempogram';

const FRAME_RATE = 86.1328125;

/** The tempogram computed over the whole novelty at once, as the definition reads. */
function batchTempogram(flux: Float32Array): Tempogram {
  const d = TEMPOGRAM_DEFAULTS;
  const mean = movingAverage(flux, Math.round(d.noveltyMeanSeconds * FRAME_RATE));
  const novelty = new Float32Array(flux.length);
  for (let i = 0; i < flux.length; i++) novelty[i] = Math.max(0, flux[i] - mean[i]);
  const win = Math.round(d.windowSeconds * FRAME_RATE);
  const hop = Math.round(d.hopSeconds * FRAME_RATE);
  const maxLag = Math.min(
    Math.ceil(d.maxLagSeconds * FRAME_RATE),
    Math.floor(Math.min(win, flux.length) / 2),
  );
  const starts: number[] = [];
  if (flux.length <= win) starts.push(0);
  else for (let st = 0; st + win <= flux.length; st += hop) starts.push(st);
  const sum = new Float64Array(maxLag + 1);
  const local: Float32Array[] = [];
  const centres: number[] = [];
  for (const st of starts) {
    const seg = novelty.subarray(st, Math.min(flux.length, st + win));
    const a = autocorrelation(seg, maxLag);
    const norm = Float32Array.from(a, (v, l) => v / a[0] / Math.max(0.2, 1 - l / seg.length));
    norm.forEach((v, l) => (sum[l] += v));
    local.push(norm);
    centres.push(st + seg.length / 2);
  }
  return { frameRate: FRAME_RATE, mean: sum.map((v) => v / starts.length), local, centres };
}

/** Clicks every `period` frames with random ghost notes and noise (a deterministic generator). */
function flux(frames: number, period: number): Float32Array {
  let seed = 11;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Float32Array.from(
    { length: frames },
    (_, i) => (i % period === 0 ? 5 : 0) + rnd() * (rnd() < 0.1 ? 3 : 0.3),
  );
}

function expectClose(a: Tempogram, b: Tempogram): void {
  expect(a.mean.length).toBe(b.mean.length);
  for (let l = 0; l < a.mean.length; l++) expect(a.mean[l]).toBeCloseTo(b.mean[l], 5);
  expect(a.centres).toEqual(b.centres);
  expect(a.local.length).toBe(b.local.length);
  for (let w = 0; w < a.local.length; w++)
    for (let l = 0; l < a.local[w].length; l++) expect(a.local[w][l]).toBeCloseTo(b.local[w][l], 5);
}

describe('TempogramAccumulator', () => {
  it.each([
    ['a 47 s envelope (many windows, a partial hop at the end)', 47],
    ['a 10 s envelope (one window)', 10],
    ['a 4 s clip (shorter ACF)', 4],
  ])('gives the batch tempogram of %s', (_name, seconds) => {
    const x = flux(Math.round(seconds * FRAME_RATE), 40);
    const acc = new TempogramAccumulator(FRAME_RATE, true);
    for (const v of x) acc.push(v);
    expectClose(acc.result(), batchTempogram(x));
  });

  it('can be read midway and go on', () => {
    const x = flux(Math.round(40 * FRAME_RATE), 37);
    const acc = new TempogramAccumulator(FRAME_RATE, true);
    const cut = Math.round(17.3 * FRAME_RATE);
    for (let i = 0; i < cut; i++) acc.push(x[i]);
    expectClose(acc.result(), batchTempogram(x.subarray(0, cut)));
    for (let i = cut; i < x.length; i++) acc.push(x[i]);
    expectClose(acc.result(), batchTempogram(x));
  });

  it('peaks at the click period', () => {
    const acc = new TempogramAccumulator(FRAME_RATE);
    for (const v of flux(Math.round(30 * FRAME_RATE), 43)) acc.push(v);
    const { mean } = acc.result();
    let arg = 20;
    for (let l = 20; l < 70; l++) if (mean[l] > mean[arg]) arg = l;
    expect(arg).toBe(43);
  });

  it('the tonal flux sees chord changes that no loudness change marks', () => {
    // C major and G major triads of equal loudness alternating every 21 chroma rows (about 2 per
    // second at 43 rows/s), with no onset at all in the flux bands
    const rows = Math.round(30 * (FRAME_RATE / 2));
    const chroma = new Float32Array(rows * 12);
    for (let r = 0; r < rows; r++)
      for (const pc of Math.floor(r / 21) % 2 === 0 ? [0, 4, 7] : [7, 11, 2]) chroma[r * 12 + pc] = 0.1;
    const silent = new Float32Array(Math.round(30 * FRAME_RATE));
    const t = bandTempogramsOf(FRAME_RATE, silent, silent, silent, silent, chroma, 2);
    expect(t.tonal.frameRate).toBeCloseTo(FRAME_RATE / 2, 9);
    let arg = 10;
    for (let l = 10; l < 30; l++) if (t.tonal.mean[l] > t.tonal.mean[arg]) arg = l;
    expect(arg).toBe(21);
    expect(Math.max(...t.all.mean)).toBe(0);
    // a held chord gives no tonal flux after its first row
    const flux = new TonalFlux();
    const held = [0.1, 0, 0, 0, 0.1, 0, 0, 0.1, 0, 0, 0, 0];
    expect(flux.push(held)).toBe(0);
    expect(flux.push(held)).toBe(0);
    expect(flux.push([0, 0, 0.1, 0, 0, 0, 0, 0.1, 0, 0, 0, 0.1])).toBeGreaterThan(5);
  });
});

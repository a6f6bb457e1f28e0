/**
 * The pass split over two threads (meter + first half of the true peak | QC + second half) must
 * give exactly what the same analysers give in one thread. The split pieces are run here in one
 * thread, in the order the worker protocol uses them.
 */
import { TruePeakMeter } from '@pressline/dsp';
import {
  Analysers,
  PartialTruePeak,
  SeparateQc,
  SplitTruePeak,
  truePeakHalves,
  type AnalysersInit,
} from './analysers';

/** Deterministic test programme: tones, noise bursts, a clipped stretch and a silent gap. */
function programme(channels: number, sampleRate: number, seconds: number): Float32Array[] {
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296) * 2 - 1;
  const n = Math.round(seconds * sampleRate);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      const burst = Math.floor(t * 4) % 3 === 0 ? 0.3 * rnd() : 0;
      // channels at different levels, so that a mix-up of channels shows in the per-channel figures
      x[i] = (1 - 0.12 * c) * (0.5 * Math.sin(2 * Math.PI * (220 + 110 * c) * t) + burst);
      if (t > 1 && t < 1.05 && c % 2 === 0) x[i] = Math.max(-1, Math.min(1, 4 * x[i]));
      if (t > 2 && t < 2.6) x[i] = 0;
    }
    return x;
  });
}

function blocksOf(channels: Float32Array[], size: number): Float32Array[][] {
  const out: Float32Array[][] = [];
  for (let i = 0; i < channels[0].length; i += size) out.push(channels.map((c) => c.subarray(i, i + size)));
  return out;
}

describe.each([1, 2, 3, 6])('the two-thread pass of %i channel(s)', (channels) => {
  const sampleRate = 48000;
  const init: AnalysersInit = {
    sampleRate,
    channels,
    series: true,
    measures: ['loudness'],
    declaredBitDepth: 24,
  };
  const blocks = blocksOf(programme(channels, sampleRate, 4), 10000);

  it('gives the loudness, true peak and QC figures of the one-thread pass', () => {
    const single = new Analysers(init, new TruePeakMeter({ sampleRate, channels }));
    for (const b of blocks) single.process(b);
    const expected = single.results();

    const [first, second] = truePeakHalves(channels);
    const sink = new SplitTruePeak(sampleRate, first);
    const analysers = new Analysers({ ...init, qcElsewhere: true }, sink);
    const otherHalf = new PartialTruePeak(sampleRate, second);
    const qc = new SeparateQc({ sampleRate, channels, declaredBitDepth: 24 });
    for (const b of blocks) {
      analysers.process(b);
      otherHalf.process(b);
      qc.process(b);
    }
    sink.complete(otherHalf.results());
    const split = analysers.results();
    const figures = qc.figures(split.qcHandOver);

    expect(split.figures).toBeNull();
    expect(split.loudness).toEqual(expected.loudness);
    expect(figures).toEqual(expected.figures);
    expect(split.qcHandOver).toEqual(expected.qcHandOver);
  });
});

describe('truePeakHalves', () => {
  it('keeps a mono channel in the first half and splits the others evenly', () => {
    expect(truePeakHalves(1)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 1 },
    ]);
    expect(truePeakHalves(2)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
    ]);
    expect(truePeakHalves(5)).toEqual([
      { from: 0, to: 3 },
      { from: 3, to: 5 },
    ]);
  });
});

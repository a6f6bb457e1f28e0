import { SlidingFrames } from './sliding-frames';

/** Frames of a ramp 1, 2, 3, ... with a unit window, as plain arrays. */
function framesOf(blocks: number[], size: number, hop: number, startFill = 0): number[][] {
  const framing = new SlidingFrames(new Float64Array(size).fill(1), hop, startFill);
  const out: number[][] = [];
  let next = 1;
  for (const n of blocks) {
    const x = Float32Array.from({ length: n }, () => next++);
    framing.push(x, (frame) => out.push(Array.from(frame)));
  }
  return out;
}

describe('SlidingFrames', () => {
  it('cuts a frame every hop samples, led by startFill zeros', () => {
    expect(framesOf([10], 4, 2, 2)).toEqual([
      [0, 0, 1, 2],
      [1, 2, 3, 4],
      [3, 4, 5, 6],
      [5, 6, 7, 8],
      [7, 8, 9, 10],
    ]);
  });

  it('gives the same frames whatever the block lengths', () => {
    const whole = framesOf([37], 8, 3);
    expect(framesOf([1, 5, 2, 13, 16], 8, 3)).toEqual(whole);
    expect(whole).toHaveLength(Math.floor((37 - 8) / 3) + 1);
  });

  it('multiplies by the window', () => {
    const framing = new SlidingFrames(Float64Array.from([0.5, 2]), 2);
    const out: number[][] = [];
    framing.push(Float32Array.from([3, 4, 5, 6]), (f) => out.push(Array.from(f)));
    expect(out).toEqual([
      [1.5, 8],
      [2.5, 12],
    ]);
  });

  it('starts over on reset', () => {
    const framing = new SlidingFrames(new Float64Array(2).fill(1), 1, 1);
    const out: number[][] = [];
    framing.push(Float32Array.from([7, 8]), (f) => out.push(Array.from(f)));
    framing.reset();
    framing.push(Float32Array.from([9]), (f) => out.push(Array.from(f)));
    expect(out).toEqual([
      [0, 7],
      [7, 8],
      [0, 9],
    ]);
  });
});

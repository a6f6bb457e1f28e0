/**
 * Sample-exact comparison of two files' decoded audio, streamed block by block (bounded memory).
 * Used to prove a canonical copy lost nothing: bit patterns are compared, so -0 vs +0 or two
 * different NaNs count as differences.
 */
import { decode } from './decode';
import type { AudioBlock, DecodeOptions } from './types';

export interface DecodedComparison {
  /** Same channel count, same frame count, every sample bit-identical. */
  readonly identical: boolean;
  readonly framesA: number;
  readonly framesB: number;
  readonly channelsA: number;
  readonly channelsB: number;
  /** Largest |a - b| over the frames both have (NaN when a NaN differs). */
  readonly maxAbsDifference: number;
  /** First frame where a sample differs, or null. */
  readonly firstDifferenceFrame: number | null;
}

export async function compareDecoded(
  fileA: string,
  fileB: string,
  options: Pick<DecodeOptions, 'signal' | 'ffmpegPath' | 'ffprobePath' | 'blockFrames'> = {},
): Promise<DecodedComparison> {
  const a = decode(fileA, options);
  const b = decode(fileB, options);
  const [fa, fb] = await Promise.all([a.open(), b.open()]);
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  let framesA = 0;
  let framesB = 0;
  let maxAbs = 0;
  let first: number | null = null;
  const nch = Math.min(fa.channels, fb.channels);
  try {
    for (;;) {
      const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
      if (!ra.done) framesA += ra.value.frames;
      if (!rb.done) framesB += rb.value.frames;
      if (ra.done || rb.done) {
        // Drain the longer one to count its frames.
        const rest = ra.done ? ib : ia;
        if (!(ra.done && rb.done)) {
          for (let r = await rest.next(); !r.done; r = await rest.next()) {
            if (ra.done) framesB += r.value.frames;
            else framesA += r.value.frames;
          }
        }
        break;
      }
      const offset = framesA - ra.value.frames;
      const result = compareBlocks(ra.value, rb.value, nch);
      if (result.maxAbs > maxAbs || Number.isNaN(result.maxAbs)) maxAbs = result.maxAbs;
      if (first === null && result.first !== null) first = offset + result.first;
    }
  } finally {
    await ia.return?.();
    await ib.return?.();
  }
  const identical = fa.channels === fb.channels && framesA === framesB && first === null;
  return {
    identical,
    framesA,
    framesB,
    channelsA: fa.channels,
    channelsB: fb.channels,
    maxAbsDifference: maxAbs,
    firstDifferenceFrame: first,
  };
}

function compareBlocks(x: AudioBlock, y: AudioBlock, nch: number): { maxAbs: number; first: number | null } {
  const frames = Math.min(x.frames, y.frames);
  let maxAbs = 0;
  let first: number | null = frames < Math.max(x.frames, y.frames) ? frames : null;
  for (let c = 0; c < nch; c++) {
    const p = x.channels[c];
    const q = y.channels[c];
    const pb = new Uint32Array(p.buffer, p.byteOffset, frames);
    const qb = new Uint32Array(q.buffer, q.byteOffset, frames);
    for (let i = 0; i < frames; i++) {
      if (pb[i] !== qb[i]) {
        const d = Math.abs(p[i] - q[i]);
        if (d > maxAbs || d !== d) maxAbs = d;
        if (first === null || i < first) first = i;
      }
    }
  }
  return { maxAbs, first };
}

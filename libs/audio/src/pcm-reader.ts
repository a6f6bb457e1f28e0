/**
 * Direct reading of uncompressed WAV data (RIFF, RF64, BW64; PCM 16/24/32-bit and IEEE float
 * 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE), the common delivery format of masters: the samples
 * are converted exactly as ffmpeg's pcm_s16le / s24le / s32le / f32le / f64le decoders do
 * (integers divided by 2^(bits-1)), without starting a process or crossing a pipe.
 */
import { open } from 'node:fs/promises';
import { AudioError } from './errors';
import type { PcmHeaderInfo } from './pcm-header';

export type PcmSampleFormat = 's16' | 's24' | 's32' | 'f32' | 'f64';

/** True when decode() reads this file's samples itself (uncompressed WAV PCM), without ffmpeg. */
export function readsPcmDirectly(h: PcmHeaderInfo | null): boolean {
  return directPcmFormat(h) !== null;
}

/** The sample format a WAV header says its data holds, or null when it is not one read directly. */
export function directPcmFormat(h: PcmHeaderInfo | null): PcmSampleFormat | null {
  if (!h || (h.container !== 'riff' && h.container !== 'rf64' && h.container !== 'bw64')) return null;
  if (h.dataOffset === null || h.availableDataBytes === null || h.channels < 1) return null;
  if (h.issues.includes('block-align-mismatch') || h.issues.includes('zero-channels-or-rate')) return null;
  const kind = h.extensible ? h.subFormat : h.formatTag;
  const bits = h.bitsPerSample;
  if (h.blockAlign !== h.channels * (bits / 8)) return null;
  if (kind === 1) return bits === 16 ? 's16' : bits === 24 ? 's24' : bits === 32 ? 's32' : null;
  if (kind === 3) return bits === 32 ? 'f32' : bits === 64 ? 'f64' : null;
  return null;
}

export interface PcmBlockRead {
  readonly channels: Float32Array[];
  readonly frames: number;
}

/**
 * Reads the data chunk in blocks of `blockFrames` frames, converted to planar float into the
 * arrays `arrays(frames)` provides. Bytes past the last whole frame (a file cut mid-frame) are
 * not read; `partialTailBytes` tells how many there are.
 */
export async function* readPcmBlocks(
  file: string,
  header: PcmHeaderInfo,
  format: PcmSampleFormat,
  blockFrames: number,
  arrays: (frames: number) => Float32Array[],
  signal?: AbortSignal,
): AsyncGenerator<PcmBlockRead> {
  const nch = header.channels;
  const frameBytes = nch * (header.bitsPerSample / 8);
  const wholeFrames = Math.floor(header.availableDataBytes! / frameBytes);
  const fh = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(blockFrames * frameBytes);
    let position = header.dataOffset!;
    let done = 0;
    while (done < wholeFrames) {
      if (signal?.aborted) throw new AudioError('aborted', 'decode: aborted', { cause: signal.reason });
      const want = Math.min(blockFrames, wholeFrames - done) * frameBytes;
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buffer, got, want - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const frames = Math.floor(got / frameBytes);
      if (frames === 0) break;
      const channels = arrays(frames);
      convert(buffer, frames, nch, format, channels);
      yield { channels, frames };
      done += frames;
      position += frames * frameBytes;
      if (got < want) break;
    }
  } finally {
    await fh.close();
  }
}

export function partialTailBytes(header: PcmHeaderInfo): number {
  const frameBytes = header.channels * (header.bitsPerSample / 8);
  return (header.availableDataBytes ?? 0) % frameBytes;
}

const INV_15 = 1 / 32768;
const INV_23 = 1 / 8388608;
const INV_31 = 1 / 2147483648;

/** Interleaved little-endian samples -> planar float, the same values ffmpeg's decoders give. */
function convert(
  src: Buffer,
  frames: number,
  nch: number,
  format: PcmSampleFormat,
  out: Float32Array[],
): void {
  const n = frames * nch;
  switch (format) {
    case 's16': {
      const v = new Int16Array(src.buffer, src.byteOffset, n);
      if ((src.byteOffset & 1) !== 0)
        return convertGeneric(src, frames, nch, 2, (b, o) => b.readInt16LE(o) * INV_15, out);
      for (let c = 0; c < nch; c++) {
        const dst = out[c];
        for (let i = 0, j = c; i < frames; i++, j += nch) dst[i] = v[j] * INV_15;
      }
      return;
    }
    case 's24': {
      for (let c = 0; c < nch; c++) {
        const dst = out[c];
        for (let i = 0, o = c * 3, step = nch * 3; i < frames; i++, o += step) {
          // sign-extend the 24-bit little-endian integer
          dst[i] = (((src[o + 2] << 24) | (src[o + 1] << 16) | (src[o] << 8)) >> 8) * INV_23;
        }
      }
      return;
    }
    case 's32':
      return convertGeneric(src, frames, nch, 4, (b, o) => b.readInt32LE(o) * INV_31, out);
    case 'f32': {
      if ((src.byteOffset & 3) !== 0)
        return convertGeneric(src, frames, nch, 4, (b, o) => b.readFloatLE(o), out);
      const v = new Float32Array(src.buffer, src.byteOffset, n);
      for (let c = 0; c < nch; c++) {
        const dst = out[c];
        for (let i = 0, j = c; i < frames; i++, j += nch) dst[i] = v[j];
      }
      return;
    }
    case 'f64':
      return convertGeneric(src, frames, nch, 8, (b, o) => b.readDoubleLE(o), out);
  }
}

function convertGeneric(
  src: Buffer,
  frames: number,
  nch: number,
  bytes: number,
  read: (b: Buffer, offset: number) => number,
  out: Float32Array[],
): void {
  for (let c = 0; c < nch; c++) {
    const dst = out[c];
    for (let i = 0, o = c * bytes, step = nch * bytes; i < frames; i++, o += step) dst[i] = read(src, o);
  }
}

import { open } from 'node:fs/promises';
import { readPcmHeader } from '@pressline/audio';

/** What a written master's header says (no ffprobe process: the headers are read directly). */
export interface WrittenFormat {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly frames: number | null;
  /** WAV only: wFormatTag (1 = WAVE_FORMAT_PCM, 3 = IEEE float, 0xFFFE = EXTENSIBLE). */
  readonly waveFormatTag: number | null;
}

/**
 * FLAC STREAMINFO (RFC 9639 section 8.2): the first metadata block after the `fLaC` marker;
 * sample rate (20 bits), channels - 1 (3 bits), bits per sample - 1 (5 bits), total samples (36 bits).
 */
export async function readFlacStreamInfo(file: string): Promise<WrittenFormat | null> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(42);
    const { bytesRead } = await fh.read(b, 0, 42, 0);
    if (bytesRead < 42 || b.toString('latin1', 0, 4) !== 'fLaC' || (b[4] & 0x7f) !== 0) return null;
    const s = 8; // STREAMINFO body
    const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
    const channels = ((b[s + 12] >> 1) & 0x07) + 1;
    const bitsPerSample = (((b[s + 12] & 0x01) << 4) | (b[s + 13] >> 4)) + 1;
    const total = (b[s + 13] & 0x0f) * 2 ** 32 + b.readUInt32BE(s + 14);
    return { sampleRate, channels, bitsPerSample, frames: total === 0 ? null : total, waveFormatTag: null };
  } finally {
    await fh.close();
  }
}

/** The header of a written WAV or FLAC master; null when it is neither. */
export async function readWrittenFormat(
  file: string,
  container: 'wav' | 'flac',
): Promise<WrittenFormat | null> {
  if (container === 'flac') return readFlacStreamInfo(file);
  const h = await readPcmHeader(file);
  if (!h) return null;
  return {
    sampleRate: h.sampleRate,
    channels: h.channels,
    bitsPerSample: h.bitsPerSample,
    frames: h.declaredFrames,
    waveFormatTag: h.formatTag,
  };
}

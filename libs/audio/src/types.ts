/**
 * The contract of libs/audio that other code is written against. Decoding yields planar
 * float PCM in blocks so that memory stays bounded whatever the duration.
 */
import type { FfmpegRuntimeOptions } from './command';
import type { PcmHeaderInfo } from './pcm-header';
import type { ProbeResult } from './probe';

/** One block of decoded audio: `channels[c][i]`, all channels the same length (`frames`). */
export interface AudioBlock {
  readonly channels: Float32Array[];
  readonly frames: number;
}

export interface DecodeOptions extends FfmpegRuntimeOptions {
  /** Resample to this rate (ffmpeg soxr); default: the source rate. */
  readonly sampleRate?: number;
  /**
   * Down/up-mix to this many channels; default: the source layout. Stereo to mono is (L+R)/2;
   * other conversions use ffmpeg's default matrices (-ac).
   */
  readonly channels?: number;
  /** Frames per block; default 65536. */
  readonly blockFrames?: number;
  /** Abort decoding (kills ffmpeg). */
  readonly signal?: AbortSignal;
  /** 'auto' (default): soxr when this ffmpeg has libsoxr, else swr. 'soxr' fails if it is missing. */
  readonly resampler?: 'auto' | 'soxr' | 'swr';
  /** A probe of the same file already made: skips running ffprobe again. */
  readonly probe?: ProbeResult;
  /**
   * The file's WAV header, read beforehand (readPcmHeader): when it is PCM read directly
   * (readsPcmDirectly) and no conversion is asked for, decoding starts from it without running
   * ffprobe, and the format's `probe` is null (probe alongside, if needed).
   */
  readonly pcmHeader?: PcmHeaderInfo | null;
  /**
   * Kill ffmpeg when it delivers nothing for this long while the consumer is waiting for data
   * (time the consumer spends on a block does not count). Default 30 s.
   */
  readonly stallTimeoutMs?: number;
  /** Replace NaN and +-Infinity samples by 0 (they are counted in the report either way). */
  readonly replaceNonFinite?: boolean;
  /**
   * Hand out the same channel arrays for every block (allocation- and garbage-free). Only for
   * consumers that are done with a block when they ask for the next one (meters, analysers).
   */
  readonly reuseBlocks?: boolean;
  /**
   * Read uncompressed WAV (PCM 16/24/32, float 32/64) straight from the file instead of through
   * ffmpeg, when no conversion is asked for (default true): same samples, no process, no pipe.
   */
  readonly direct?: boolean;
}

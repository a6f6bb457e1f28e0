/**
 * The contract of libs/audio that other code is written against. Decoding yields planar
 * float PCM in blocks so that memory stays bounded whatever the duration.
 */

/** One block of decoded audio: `channels[c][i]`, all channels the same length (`frames`). */
export interface AudioBlock {
  readonly channels: Float32Array[];
  readonly frames: number;
}

export interface DecodeOptions {
  /** Resample to this rate (ffmpeg soxr); default: the source rate. */
  readonly sampleRate?: number;
  /** Down/up-mix to this many channels; default: the source layout. */
  readonly channels?: number;
  /** Frames per block; default 65536. */
  readonly blockFrames?: number;
  /** Abort decoding (kills ffmpeg). */
  readonly signal?: AbortSignal;
}

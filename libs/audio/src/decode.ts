/**
 * Streaming decode: ffmpeg writes interleaved f32le to a pipe, we copy it into one staging block
 * and deinterleave into planar Float32Array blocks. Reading only when the consumer pulls is the
 * backpressure: the pipe fills, ffmpeg blocks, memory stays at about one block plus the pipe
 * buffers whatever the duration. Leaving the loop early, aborting or a stall kills ffmpeg and
 * waits for it to be reaped. Uncompressed WAV that needs no conversion is read straight from the
 * file instead (pcm-reader.ts: the same samples, no process), block by block as well.
 */
import { stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';
import type { Hertz, Seconds } from '@pressline/dsp';
import { ffmpegCapabilities } from './capabilities';
import { DEFAULT_BINARIES, FfmpegProcess, fileUrl, throwIfAborted } from './command';
import { AudioError } from './errors';
import type { PcmHeaderInfo } from './pcm-header';
import { directPcmFormat, partialTailBytes, readPcmBlocks, type PcmSampleFormat } from './pcm-reader';
import { probe, type ProbeResult } from './probe';
import type { AudioBlock, DecodeOptions } from './types';

export const DECODE_DEFAULTS = Object.freeze({
  blockFrames: 65536,
  stallTimeoutMs: 30_000,
  /**
   * Decoded bytes read ahead of the consumer (bounded): ffmpeg keeps decoding while the consumer
   * computes on a block, instead of stalling on a full 64 KiB pipe.
   */
  readAheadBytes: 8 << 20,
  /** soxr precision in bits (28 = its "very high quality" setting). */
  soxrPrecision: 28,
  /** decodeAll() refuses more than this many frames (20 minutes at 48 kHz). */
  maxFrames: 48_000 * 60 * 20,
});

/** The PCM that the blocks carry. */
export interface DecodedFormat {
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** ffmpeg layout name of the output; null when unknown. */
  readonly channelLayout: string | null;
  /** True when resampled or re-mixed away from the source. */
  readonly converted: boolean;
  /** null when decoding started from the WAV header alone (DecodeOptions.pcmHeader). */
  readonly probe: ProbeResult | null;
  /** The WAV/AIFF header as written in the file; null for other containers. */
  readonly header: PcmHeaderInfo | null;
}

/** What a complete decode saw. Ingest uses it to tell "truncated or corrupt" from clean. */
export interface DecodeReport {
  /** Frames delivered (at the output rate). */
  readonly frames: number;
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly durationSeconds: Seconds;
  /** Frames the file claims (header, STREAMINFO, ...) at the output rate; null if unknown. */
  readonly declaredFrames: number | null;
  /** declaredFrames - frames when positive beyond the codec's tolerance, else 0. */
  readonly missingFrames: number;
  readonly truncated: boolean;
  /** Distinct ffmpeg error messages (with `(xN)` repeat counts), at most 50. */
  readonly decodeErrors: readonly string[];
  /** Every error line ffmpeg printed. */
  readonly decodeErrorCount: number;
  /** NaN / +-Infinity samples seen (replaced by 0 when replaceNonFinite). */
  readonly nonFiniteSamples: number;
  /** No decode error, not truncated, no non-finite sample. */
  readonly clean: boolean;
}

const LITTLE_ENDIAN = endianness() === 'LE';

export class AudioDecodeStream implements AsyncIterable<AudioBlock> {
  readonly file: string;
  private readonly options: DecodeOptions;
  private readonly blockFrames: number;
  private formatPromise: Promise<DecodedFormat> | undefined;
  private started = false;
  private finalReport: DecodeReport | undefined;
  private process: FfmpegProcess | undefined;
  private nonFinite = 0;

  constructor(file: string, options: DecodeOptions = {}) {
    const blockFrames = options.blockFrames ?? DECODE_DEFAULTS.blockFrames;
    if (!Number.isInteger(blockFrames) || blockFrames < 1 || blockFrames > 1 << 22) {
      throw new RangeError(`blockFrames must be an integer in [1, 4194304], got ${blockFrames}`);
    }
    if (
      options.sampleRate !== undefined &&
      !(Number.isInteger(options.sampleRate) && options.sampleRate >= 1000)
    ) {
      throw new RangeError(`sampleRate must be an integer >= 1000 Hz, got ${options.sampleRate}`);
    }
    if (
      options.channels !== undefined &&
      !(Number.isInteger(options.channels) && options.channels >= 1 && options.channels <= 64)
    ) {
      throw new RangeError(`channels must be an integer in [1, 64], got ${options.channels}`);
    }
    this.file = file;
    this.options = options;
    this.blockFrames = blockFrames;
  }

  /** Probes (unless a probe was given) and says what the blocks will carry. Idempotent. */
  open(): Promise<DecodedFormat> {
    this.formatPromise ??= this.resolveFormat();
    return this.formatPromise;
  }

  /** The final report once iteration has run to its end; undefined before or after an early exit. */
  get report(): DecodeReport | undefined {
    return this.finalReport;
  }

  /** pid of the running ffmpeg (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  get running(): boolean {
    return this.process?.isRunning ?? false;
  }

  [Symbol.asyncIterator](): AsyncIterator<AudioBlock> {
    if (this.started) throw new Error('an AudioDecodeStream can be iterated once');
    this.started = true;
    return this.run();
  }

  private async resolveFormat(): Promise<DecodedFormat> {
    if (!LITTLE_ENDIAN) throw new AudioError('unsupported', 'decode needs a little-endian host');
    throwIfAborted(this.options.signal, 'decode');
    const fromHeader = this.options.probe ? null : await this.headerFormat();
    if (fromHeader) return fromHeader;
    const probed = this.options.probe ?? (await probe(this.file, this.options));
    const source = probed.audio;
    const sampleRate = this.options.sampleRate ?? source.sampleRate;
    const channels = this.options.channels ?? source.channels;
    const remixed = channels !== source.channels;
    return {
      sampleRate,
      channels,
      channelLayout: remixed
        ? channels === 1
          ? 'mono'
          : channels === 2
            ? 'stereo'
            : null
        : source.channelLayout,
      converted: remixed || sampleRate !== source.sampleRate,
      probe: probed,
      header: probed.header,
    };
  }

  /** The format of a PCM WAV given as options.pcmHeader and read directly without conversion, else null. */
  private async headerFormat(): Promise<DecodedFormat | null> {
    const h = this.options.pcmHeader;
    if (!h || this.options.direct === false || !directPcmFormat(h)) return null;
    if (this.options.sampleRate !== undefined && this.options.sampleRate !== h.sampleRate) return null;
    if (this.options.channels !== undefined && this.options.channels !== h.channels) return null;
    if (!(await this.isSameRegularFile(h))) return null;
    const mask = h.channelMask;
    const layout =
      h.channels === 1 && (mask === null || mask === 0x4)
        ? 'mono'
        : h.channels === 2 && (mask === null || mask === 0x3)
          ? 'stereo'
          : null;
    return {
      sampleRate: h.sampleRate,
      channels: h.channels,
      channelLayout: layout,
      converted: false,
      probe: null,
      header: h,
    };
  }

  /** A regular file (not a FIFO) of the size the header was read from. */
  private async isSameRegularFile(h: PcmHeaderInfo): Promise<boolean> {
    const info = await stat(this.file).catch(() => null);
    return info !== null && info.isFile() && info.size === h.fileBytes;
  }

  private async buildArgs(format: DecodedFormat, probed: ProbeResult): Promise<string[]> {
    const source = probed.audio;
    const args = ['-hide_banner', '-nostdin', '-v', 'error', '-protocol_whitelist', 'file'];
    args.push('-i', fileUrl(resolve(this.file)), '-map', `0:a:0`);
    const filters: string[] = [];
    // Stereo to mono is the fold-down (L+R)/2, which keeps the level of centred material; ffmpeg's
    // own -ac 1 matrix is 0.707 (L+R), +3 dB on it. Other counts use ffmpeg's default matrices.
    if (format.channels === 1 && source.channels === 2) filters.push('pan=mono|c0=0.5*c0+0.5*c1');
    if (format.sampleRate !== source.sampleRate) filters.push(await this.resampleFilter(format.sampleRate));
    if (filters.length) args.push('-af', filters.join(','));
    // -ac/-ar always: the byte stream must have the layout we deinterleave even if a stream
    // changes its channel count or rate midway (ffmpeg then converts to these).
    args.push('-ac', String(format.channels), '-ar', String(format.sampleRate));
    args.push('-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1');
    return args;
  }

  private async resampleFilter(rate: number): Promise<string> {
    const wanted = this.options.resampler ?? 'auto';
    if (wanted === 'swr') return `aresample=${rate}`;
    const caps = await ffmpegCapabilities(this.options.ffmpegPath ?? DEFAULT_BINARIES.ffmpeg);
    if (caps.soxr) return `aresample=${rate}:resampler=soxr:precision=${DECODE_DEFAULTS.soxrPrecision}`;
    if (wanted === 'soxr') throw new AudioError('unsupported', 'this ffmpeg build has no libsoxr');
    return `aresample=${rate}`;
  }

  private async *run(): AsyncGenerator<AudioBlock, void, undefined> {
    const format = await this.open();
    throwIfAborted(this.options.signal, 'decode');
    const direct = await this.directFormat(format);
    if (direct) {
      yield* this.runDirect(format, direct);
      return;
    }
    // format.probe is null only when decoding started from a header, which is always read directly.
    const probed = format.probe ?? (await probe(this.file, this.options));
    const args = await this.buildArgs(format, probed);
    const stall = this.options.stallTimeoutMs ?? DECODE_DEFAULTS.stallTimeoutMs;
    const proc = new FfmpegProcess({
      binary: this.options.ffmpegPath ?? DEFAULT_BINARIES.ffmpeg,
      args,
      stdin: 'ignore',
      stdout: 'pipe',
      signal: this.options.signal,
      file: this.file,
    });
    this.process = proc;
    try {
      const nch = format.channels;
      const frameBytes = 4 * nch;
      const blockFrames = this.blockFrames;
      const stageBytes = blockFrames * frameBytes;
      const stage = new ArrayBuffer(stageBytes);
      const stageU8 = new Uint8Array(stage);
      const stageF32 = new Float32Array(stage);
      let fill = 0;
      let frames = 0;
      if (proc.pid !== undefined) {
        proc.armWatchdog(stall);
        for await (const chunk of readAhead(proc.stdout, DECODE_DEFAULTS.readAheadBytes, () =>
          proc.touch(),
        )) {
          let at = 0;
          while (at < chunk.length) {
            const n = Math.min(chunk.length - at, stageBytes - fill);
            stageU8.set(chunk.subarray(at, at + n), fill);
            fill += n;
            at += n;
            if (fill === stageBytes) {
              fill = 0;
              frames += blockFrames;
              const block = this.deinterleave(stageF32, blockFrames, nch);
              proc.disarmWatchdog();
              yield block;
              proc.armWatchdog(stall);
            }
          }
        }
      }
      const exit = await proc.exited;
      const failure = proc.failureOf(exit, 'ffmpeg decode');
      if (failure) throw failure;
      const tailFrames = Math.floor(fill / frameBytes);
      if (tailFrames > 0) {
        frames += tailFrames;
        yield this.deinterleave(stageF32, tailFrames, nch);
      }
      this.finalReport = this.buildReport(format, probed, frames, proc);
    } finally {
      if (proc.isRunning) await proc.stop('cancelled');
    }
  }

  /**
   * The sample format to read straight from the file, or null to decode through ffmpeg: only
   * unconverted WAV PCM, and only from a regular file whose size is the one the probe saw (a FIFO
   * or a file changed since the probe goes through ffmpeg and its stall timeout).
   */
  private async directFormat(format: DecodedFormat): Promise<PcmSampleFormat | null> {
    if (format.converted || this.options.direct === false) return null;
    const header = format.header;
    const sampleFormat = directPcmFormat(header);
    if (!sampleFormat || !header) return null;
    // Started from the header (no probe): headerFormat has checked the file already.
    if (!format.probe) return sampleFormat;
    return (await this.isSameRegularFile(header)) ? sampleFormat : null;
  }

  /**
   * Uncompressed WAV read straight from the file (no ffmpeg, no pipe): the same samples as
   * ffmpeg's PCM decoders. Truncation is what the header tells (declared vs present frames).
   */
  private async *runDirect(
    format: DecodedFormat,
    sampleFormat: PcmSampleFormat,
  ): AsyncGenerator<AudioBlock, void, undefined> {
    const header = format.header!;
    const isFloat = sampleFormat === 'f32' || sampleFormat === 'f64';
    let frames = 0;
    for await (const block of readPcmBlocks(
      this.file,
      header,
      sampleFormat,
      this.blockFrames,
      (n) => this.outputArrays(n, format.channels),
      this.options.signal,
    )) {
      if (isFloat) this.countNonFinite(block.channels, block.frames);
      frames += block.frames;
      yield block;
    }
    const partial = partialTailBytes(header);
    const declared = header.declaredFrames ?? frames;
    const shortBy = Math.max(0, declared - frames);
    const errors =
      partial > 0
        ? [`Invalid PCM packet: ${partial} bytes at the end of the data are not a whole frame`]
        : [];
    this.finalReport = {
      frames,
      sampleRate: format.sampleRate,
      channels: format.channels,
      durationSeconds: frames / format.sampleRate,
      declaredFrames: header.declaredFrames,
      missingFrames: shortBy,
      truncated: shortBy > 0,
      decodeErrors: errors,
      decodeErrorCount: errors.length,
      nonFiniteSamples: this.nonFinite,
      clean: shortBy === 0 && errors.length === 0 && this.nonFinite === 0,
    };
  }

  /** Counts NaN and +-Infinity samples (x - x is NaN exactly for those) of a block read directly. */
  private countNonFinite(channels: Float32Array[], frames: number): void {
    let bad = 0;
    for (const ch of channels) for (let i = 0; i < frames; i++) if (ch[i] - ch[i] !== 0) bad++;
    this.noteNonFinite(channels, frames, bad);
  }

  /** Adds `bad` non-finite samples of a block to the count; with replaceNonFinite, zeroes them. */
  private noteNonFinite(channels: Float32Array[], frames: number, bad: number): void {
    if (bad === 0) return;
    this.nonFinite += bad;
    if (this.options.replaceNonFinite)
      for (const ch of channels) for (let i = 0; i < frames; i++) if (ch[i] - ch[i] !== 0) ch[i] = 0;
  }

  private reusable: Float32Array[] | null = null;

  /** The arrays a block is written into: fresh ones, or (reuseBlocks) the same ones each time. */
  private outputArrays(frames: number, nch: number): Float32Array[] {
    if (!this.options.reuseBlocks) return Array.from({ length: nch }, () => new Float32Array(frames));
    if (!this.reusable || this.reusable[0].length < frames)
      this.reusable = Array.from({ length: nch }, () => new Float32Array(Math.max(frames, this.blockFrames)));
    return this.reusable.map((a) => (a.length === frames ? a : a.subarray(0, frames)));
  }

  /** Interleaved -> planar, counting non-finite samples (x - x is NaN exactly for NaN and +-Inf). */
  private deinterleave(src: Float32Array, frames: number, nch: number): AudioBlock {
    const channels: Float32Array[] = [];
    const out = this.outputArrays(frames, nch);
    let bad = 0;
    if (nch === 2) {
      const l = out[0];
      const r = out[1];
      for (let i = 0, j = 0; i < frames; i++, j += 2) {
        const a = src[j];
        const b = src[j + 1];
        l[i] = a;
        r[i] = b;
        if (a - a !== 0) bad++;
        if (b - b !== 0) bad++;
      }
      channels.push(l, r);
    } else {
      for (let c = 0; c < nch; c++) {
        const dst = out[c];
        for (let i = 0, j = c; i < frames; i++, j += nch) {
          const a = src[j];
          dst[i] = a;
          if (a - a !== 0) bad++;
        }
        channels.push(dst);
      }
    }
    this.noteNonFinite(channels, frames, bad);
    return { channels, frames };
  }

  private buildReport(
    format: DecodedFormat,
    p: ProbeResult,
    frames: number,
    proc: FfmpegProcess,
  ): DecodeReport {
    const ratio = format.sampleRate / p.audio.sampleRate;
    const declared = p.declaredFrames === null ? null : Math.round(p.declaredFrames * ratio);
    // Exact counts (PCM headers, FLAC, ALAC) allow no slack unless resampled; lossy codecs drop
    // or keep priming/padding; durations estimated from the bit rate can be off by a few percent.
    const exact = p.header !== null || p.audio.framesExact;
    let slack: number;
    if (declared === null) slack = 0;
    else if (!exact) slack = Math.max(4096, 0.05 * declared);
    else if (!p.audio.lossless) slack = 4096 + 0.002 * declared;
    else slack = format.converted ? 64 + 0.001 * declared : 0;
    const shortBy = declared === null ? 0 : declared - frames;
    const truncated = shortBy > slack;
    const decodeErrors = proc.stderr.messages();
    return {
      frames,
      sampleRate: format.sampleRate,
      channels: format.channels,
      durationSeconds: frames / format.sampleRate,
      declaredFrames: declared,
      missingFrames: truncated ? shortBy : 0,
      truncated,
      decodeErrors,
      decodeErrorCount: proc.stderr.lineCount,
      nonFiniteSamples: this.nonFinite,
      clean: !truncated && proc.stderr.lineCount === 0 && this.nonFinite === 0,
    };
  }
}

/**
 * Reads a stream ahead of its consumer, up to `highBytes` queued, so that the producer (ffmpeg)
 * runs in parallel with the consumer; pauses the stream above the mark, resumes below half of it.
 */
export async function* readAhead(
  stream: Readable,
  highBytes: number,
  onData: () => void = () => undefined,
): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  const failed: { error: Error | null } = { error: null };
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onChunk = (chunk: Buffer): void => {
    queue.push(chunk);
    queued += chunk.length;
    onData();
    if (queued >= highBytes) stream.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (e: Error): void => {
    failed.error = e;
    notify();
  };
  stream.on('data', onChunk);
  stream.once('end', onEnd);
  stream.once('close', onEnd);
  stream.once('error', onError);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.length;
        if (stream.isPaused() && queued < highBytes / 2) stream.resume();
        yield chunk;
        continue;
      }
      if (failed.error) throw failed.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onChunk);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
  }
}

/** Decodes the first audio stream of `file` as planar float blocks (see AudioDecodeStream). */
export function decode(file: string, options: DecodeOptions = {}): AudioDecodeStream {
  return new AudioDecodeStream(file, options);
}

export interface DecodeFileResult {
  readonly format: DecodedFormat;
  readonly report: DecodeReport;
}

/** Decodes the whole file, handing each block to `onBlock` (awaited: it is the backpressure). */
export async function decodeFile(
  file: string,
  options: DecodeOptions,
  onBlock: (block: AudioBlock, format: DecodedFormat) => void | Promise<void>,
): Promise<DecodeFileResult> {
  const stream = decode(file, options);
  const format = await stream.open();
  for await (const block of stream) await onBlock(block, format);
  const report = stream.report;
  if (!report) throw new AudioError('ffmpeg-failed', 'decode ended without a report', { file });
  return { format, report };
}

export interface DecodedAudio extends DecodeFileResult {
  /** Whole channels, concatenated. */
  readonly channels: Float32Array[];
}

/**
 * Decodes a short file into whole channels. For tests and small clips only: refuses files longer
 * than maxFrames (AudioError 'too-long') instead of filling memory.
 */
export async function decodeAll(
  file: string,
  options: DecodeOptions & { readonly maxFrames?: number } = {},
): Promise<DecodedAudio> {
  const maxFrames = options.maxFrames ?? DECODE_DEFAULTS.maxFrames;
  const parts: AudioBlock[] = [];
  let total = 0;
  const stream = decode(file, options);
  const format = await stream.open();
  for await (const block of stream) {
    total += block.frames;
    if (total > maxFrames) {
      throw new AudioError('too-long', `decodeAll: more than ${maxFrames} frames in ${file}`, { file });
    }
    parts.push(block);
  }
  const report = stream.report;
  if (!report) throw new AudioError('ffmpeg-failed', 'decode ended without a report', { file });
  const channels = Array.from({ length: format.channels }, () => new Float32Array(total));
  let at = 0;
  for (const part of parts) {
    for (let c = 0; c < channels.length; c++) channels[c].set(part.channels[c], at);
    at += part.frames;
  }
  return { format, report, channels };
}

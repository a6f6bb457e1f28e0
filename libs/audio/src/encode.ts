/**
 * Encoding: planar float blocks piped as f32le into ffmpeg (encode), or file to file with no JS in
 * the middle (transcode). Outputs are written to a hidden partial file next to the target and
 * renamed on success, so a failed run never leaves a half-written file under the final name.
 * Metadata hygiene: source metadata and chapters are dropped (`-map_metadata -1`) unless asked
 * for, and `+bitexact` keeps encoder version strings and creation times out of the output.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Hertz } from '@pressline/dsp';
import { ffmpegCapabilities } from './capabilities';
import {
  DEFAULT_BINARIES,
  FfmpegProcess,
  fileUrl,
  throwIfAborted,
  withWorkDir,
  type FfmpegRuntimeOptions,
} from './command';
import { DECODE_DEFAULTS } from './decode';
import { AudioError } from './errors';
import { rewriteAsPlainWaveFormat } from './pcm-header';
import { probe as runProbe, fsError, type ProbeResult, type Tags } from './probe';
import type { AudioBlock } from './types';

export type WavSampleFormat = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
export type AiffSampleFormat = 's16' | 's24' | 's32' | 'f32';

export type EncodeFormat =
  /**
   * RIFF WAVE, RF64 when it outgrows 4 GiB (`-rf64 auto`). ffmpeg 5.1 writes WAVE_FORMAT_EXTENSIBLE
   * above 16 bits or 48 kHz; with plainHeader (default true) 1-2 channel files are rewritten to
   * WAVE_FORMAT_PCM / IEEE_FLOAT. More than 2 channels keep EXTENSIBLE (needed for the speaker mask).
   */
  | { readonly codec: 'wav'; readonly sampleFormat: WavSampleFormat; readonly plainHeader?: boolean }
  | { readonly codec: 'flac'; readonly bitDepth: 16 | 24; readonly compressionLevel?: number }
  /** AIFF; 'f32' writes AIFC (fl32). */
  | { readonly codec: 'aiff'; readonly sampleFormat: AiffSampleFormat }
  /** Apple Lossless in an M4A (ipod muxer). */
  | { readonly codec: 'alac'; readonly bitDepth: 16 | 24 }
  | { readonly codec: 'mp3'; readonly mode: 'cbr'; readonly bitrateKbps: number }
  /** LAME VBR quality 0 (best) .. 9. */
  | { readonly codec: 'mp3'; readonly mode: 'vbr'; readonly quality: number }
  /** ffmpeg's native AAC-LC encoder in an M4A. */
  | { readonly codec: 'aac'; readonly bitrateKbps: number }
  /** libvorbis quality -1 .. 10 in Ogg. */
  | { readonly codec: 'vorbis'; readonly quality: number }
  /** libopus in Ogg, always 48 kHz. */
  | { readonly codec: 'opus'; readonly bitrateKbps: number };

export type EncodeCodec = EncodeFormat['codec'];

export const ENCODE_DEFAULTS = Object.freeze({
  flacCompressionLevel: 5,
  stallTimeoutMs: 60_000,
  transcodeTimeoutMs: 60 * 60_000,
});

interface CodecPlan {
  readonly encoder: string;
  readonly muxer: string;
  readonly extension: string;
  readonly codecArgs: readonly string[];
  readonly muxerArgs: readonly string[];
  readonly maxChannels: number;
  /** Supported rates; null = any. */
  readonly sampleRates: readonly number[] | null;
  readonly coverArt: boolean;
}

const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
const AAC_RATES = [7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000];
const MP3_CBR_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const WAV_ENCODERS: Readonly<Record<WavSampleFormat, string>> = Object.freeze({
  u8: 'pcm_u8',
  s16: 'pcm_s16le',
  s24: 'pcm_s24le',
  s32: 'pcm_s32le',
  f32: 'pcm_f32le',
  f64: 'pcm_f64le',
});
const AIFF_ENCODERS: Readonly<Record<AiffSampleFormat, string>> = Object.freeze({
  s16: 'pcm_s16be',
  s24: 'pcm_s24be',
  s32: 'pcm_s32be',
  f32: 'pcm_f32be',
});

function checkRange(name: string, value: number, min: number, max: number, integer = true): void {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be ${integer ? 'an integer ' : ''}in [${min}, ${max}], got ${value}`);
  }
}

/** How a format maps onto ffmpeg: encoder, muxer, options. Validates option ranges (RangeError). */
export function codecPlan(format: EncodeFormat): CodecPlan {
  const base = { muxerArgs: [] as string[], maxChannels: 8, sampleRates: null, coverArt: false };
  switch (format.codec) {
    case 'wav': {
      const encoder = WAV_ENCODERS[format.sampleFormat];
      if (!encoder) throw new RangeError(`unknown WAV sample format ${String(format.sampleFormat)}`);
      return {
        ...base,
        encoder,
        muxer: 'wav',
        extension: '.wav',
        codecArgs: [],
        muxerArgs: ['-rf64', 'auto'],
        maxChannels: 65535,
      };
    }
    case 'flac': {
      if (format.bitDepth !== 16 && format.bitDepth !== 24)
        throw new RangeError(`FLAC bitDepth must be 16 or 24, got ${String(format.bitDepth)}`);
      const level = format.compressionLevel ?? ENCODE_DEFAULTS.flacCompressionLevel;
      checkRange('FLAC compressionLevel', level, 0, 12);
      const depth =
        format.bitDepth === 16
          ? ['-sample_fmt', 's16']
          : ['-sample_fmt', 's32', '-bits_per_raw_sample', '24'];
      return {
        ...base,
        encoder: 'flac',
        muxer: 'flac',
        extension: '.flac',
        codecArgs: [...depth, '-compression_level', String(level)],
        coverArt: true,
      };
    }
    case 'aiff': {
      const encoder = AIFF_ENCODERS[format.sampleFormat];
      if (!encoder) throw new RangeError(`unknown AIFF sample format ${String(format.sampleFormat)}`);
      return {
        ...base,
        encoder,
        muxer: 'aiff',
        extension: format.sampleFormat === 'f32' ? '.aifc' : '.aiff',
        codecArgs: [],
        maxChannels: 65535,
      };
    }
    case 'alac': {
      if (format.bitDepth !== 16 && format.bitDepth !== 24)
        throw new RangeError(`ALAC bitDepth must be 16 or 24, got ${String(format.bitDepth)}`);
      return {
        ...base,
        encoder: 'alac',
        muxer: 'ipod',
        extension: '.m4a',
        codecArgs: ['-sample_fmt', format.bitDepth === 16 ? 's16p' : 's32p'],
        coverArt: true,
      };
    }
    case 'mp3': {
      let codecArgs: string[];
      if (format.mode === 'cbr') {
        if (!MP3_CBR_KBPS.includes(format.bitrateKbps)) {
          throw new RangeError(
            `MP3 CBR bitrate must be one of ${MP3_CBR_KBPS.join(', ')} kb/s, got ${format.bitrateKbps}`,
          );
        }
        codecArgs = ['-b:a', `${format.bitrateKbps}k`];
      } else {
        checkRange('MP3 VBR quality', format.quality, 0, 9, false);
        codecArgs = ['-q:a', String(format.quality)];
      }
      return {
        ...base,
        encoder: 'libmp3lame',
        muxer: 'mp3',
        extension: '.mp3',
        codecArgs,
        muxerArgs: ['-id3v2_version', '3', '-write_id3v1', '0'],
        maxChannels: 2,
        sampleRates: MP3_RATES,
        coverArt: true,
      };
    }
    case 'aac':
      checkRange('AAC bitrateKbps', format.bitrateKbps, 16, 512);
      return {
        ...base,
        encoder: 'aac',
        muxer: 'ipod',
        extension: '.m4a',
        codecArgs: ['-b:a', `${format.bitrateKbps}k`],
        sampleRates: AAC_RATES,
        coverArt: true,
      };
    case 'vorbis':
      checkRange('Vorbis quality', format.quality, -1, 10, false);
      return {
        ...base,
        encoder: 'libvorbis',
        muxer: 'ogg',
        extension: '.ogg',
        codecArgs: ['-q:a', String(format.quality)],
      };
    case 'opus':
      checkRange('Opus bitrateKbps', format.bitrateKbps, 6, 510);
      return {
        ...base,
        encoder: 'libopus',
        muxer: 'ogg',
        extension: '.opus',
        codecArgs: ['-b:a', `${format.bitrateKbps}k`],
        sampleRates: [48000],
      };
  }
}

/**
 * The output rate for a codec: the requested one (must be supported), else the input rate when
 * supported, else the highest supported rate of the same family (44.1k or 48k multiples) not above
 * the input, else the highest supported rate not above it, else the lowest supported.
 */
export function chooseOutputRate(
  plan: Pick<CodecPlan, 'sampleRates' | 'encoder'>,
  inputRate: Hertz,
  requested?: Hertz,
): Hertz {
  const rates = plan.sampleRates;
  if (requested !== undefined) {
    if (!(Number.isInteger(requested) && requested >= 1000))
      throw new RangeError(`sample rate must be an integer >= 1000 Hz, got ${requested}`);
    if (rates && !rates.includes(requested)) {
      throw new RangeError(`${plan.encoder} supports ${rates.join(', ')} Hz, not ${requested}`);
    }
    return requested;
  }
  if (!rates || rates.includes(inputRate)) return inputRate;
  const family = inputRate % 11025 === 0 ? 11025 : 8000;
  const below = rates.filter((r) => r <= inputRate);
  const sameFamily = below.filter((r) => r % family === 0);
  if (sameFamily.length) return Math.max(...sameFamily);
  if (below.length) return Math.max(...below);
  return Math.min(...rates);
}

/** Default ffmpeg channel layout name for a count; `${n}C` (unordered) when there is no standard one. */
export function defaultChannelLayout(channels: number): string {
  const known: Record<number, string> = { 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' };
  return known[channels] ?? `${channels}C`;
}

const TAG_KEY = /^[A-Za-z0-9_:-]{1,64}$/;

function tagArgs(tags: Tags | undefined): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (!TAG_KEY.test(key))
      throw new RangeError(`tag key must match ${String(TAG_KEY)}, got ${JSON.stringify(key)}`);
    if (typeof value !== 'string' || value.includes('\0'))
      throw new RangeError(`tag ${key}: value must be a string without NUL`);
    args.push('-metadata', `${key}=${value}`);
  }
  return args;
}

async function checkCoverArt(path: string): Promise<string> {
  const absolute = resolve(path);
  let head: Buffer;
  try {
    const fh = await open(absolute, 'r');
    try {
      head = Buffer.alloc(8);
      await fh.read(head, 0, 8, 0);
    } finally {
      await fh.close();
    }
  } catch (error) {
    throw fsError(error, path);
  }
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  const png = head.toString('latin1', 1, 4) === 'PNG';
  if (!jpeg && !png)
    throw new AudioError('unsupported', `cover art must be JPEG or PNG: ${path}`, { file: path });
  return absolute;
}

interface OutputSpec {
  readonly plan: CodecPlan;
  readonly format: EncodeFormat;
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly tags: Tags | undefined;
  readonly keepTags: boolean;
  /** Input index of the cover image, or null. */
  readonly coverInput: number | null;
  readonly soxr: boolean;
  readonly partial: string;
}

function outputArgs(spec: OutputSpec): string[] {
  const args = ['-map', '0:a:0'];
  if (spec.coverInput !== null) {
    args.push('-map', `${spec.coverInput}:v:0`, '-c:v', 'copy', '-disposition:v:0', 'attached_pic');
    // "Cover (front)" is what ffmpeg's FLAC and ID3 muxers read to set picture type 3.
    args.push('-metadata:s:v:0', 'comment=Cover (front)', '-metadata:s:v:0', 'title=Cover (front)');
  }
  args.push('-map_metadata', spec.keepTags ? '0' : '-1', '-map_chapters', '-1');
  if (spec.outputRate !== spec.inputRate) {
    const filter = spec.soxr
      ? `aresample=${spec.outputRate}:resampler=soxr:precision=${DECODE_DEFAULTS.soxrPrecision}`
      : `aresample=${spec.outputRate}`;
    args.push('-af', filter);
  }
  args.push('-c:a', spec.plan.encoder, ...spec.plan.codecArgs, ...tagArgs(spec.tags));
  args.push('-fflags', '+bitexact', '-flags:a', '+bitexact', ...spec.plan.muxerArgs);
  args.push('-f', spec.plan.muxer, '-y', fileUrl(spec.partial));
  return args;
}

async function prepare(
  file: string,
  format: EncodeFormat,
  channels: number,
  inputRate: Hertz,
  options: { readonly ffmpegPath?: string; readonly coverArt?: string; readonly requestedRate?: Hertz },
): Promise<{
  plan: CodecPlan;
  outputRate: Hertz;
  soxr: boolean;
  cover: string | null;
  target: string;
  partial: string;
}> {
  const plan = codecPlan(format);
  if (!(Number.isInteger(inputRate) && inputRate >= 1000))
    throw new RangeError(`sampleRate must be an integer >= 1000 Hz, got ${inputRate}`);
  checkRange('channels', channels, 1, 65535);
  if (channels > plan.maxChannels) {
    throw new AudioError(
      'unsupported',
      `${plan.encoder} encodes at most ${plan.maxChannels} channels, got ${channels}`,
      { file },
    );
  }
  const outputRate = chooseOutputRate(plan, inputRate, options.requestedRate);
  const caps = await ffmpegCapabilities(options.ffmpegPath ?? DEFAULT_BINARIES.ffmpeg);
  if (!caps.encoders.has(plan.encoder)) {
    throw new AudioError('unsupported', `this ffmpeg (${caps.version}) has no ${plan.encoder} encoder`, {
      file,
    });
  }
  let cover: string | null = null;
  if (options.coverArt !== undefined) {
    if (!plan.coverArt)
      throw new AudioError('unsupported', `cover art is not supported for ${format.codec}`, { file });
    cover = await checkCoverArt(options.coverArt);
  }
  const target = resolve(file);
  try {
    if (!(await stat(dirname(target))).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new AudioError('output-failed', `output folder does not exist: ${dirname(target)}`, {
      file,
      cause,
    });
  }
  const partial = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  return { plan, outputRate, soxr: caps.soxr, cover, target, partial };
}

async function finishOutput(
  format: EncodeFormat,
  partial: string,
  target: string,
  file: string,
): Promise<{ bytes: number; plainWaveHeader: boolean }> {
  try {
    const plainWaveHeader =
      format.codec === 'wav' && format.plainHeader !== false
        ? await rewriteAsPlainWaveFormat(partial)
        : false;
    await rename(partial, target);
    return { bytes: (await stat(target)).size, plainWaveHeader };
  } catch (cause) {
    throw new AudioError('output-failed', `cannot finish ${file}: ${(cause as Error).message}`, {
      file,
      cause,
    });
  }
}

export interface EncodeOptions extends FfmpegRuntimeOptions {
  readonly format: EncodeFormat;
  /** Rate of the blocks. */
  readonly sampleRate: Hertz;
  /** Channels of the blocks; default: the first block's. Required when there may be no block. */
  readonly channels?: number;
  /** ffmpeg layout of the blocks; default mono/stereo/5.1/7.1 by count, else unordered. */
  readonly channelLayout?: string;
  /** Resample (soxr) to this rate; lossy codecs pick a supported rate when omitted. */
  readonly outputSampleRate?: Hertz;
  readonly tags?: Tags;
  /** JPEG or PNG embedded as front cover (flac, mp3, alac, aac). */
  readonly coverArt?: string;
  /** Kill ffmpeg when it accepts no data for this long (or takes this long to finish). Default 60 s. */
  readonly stallTimeoutMs?: number;
}

export interface EncodeResult {
  readonly file: string;
  readonly frames: number;
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly bytes: number;
  readonly command: string;
  /** True when a WAVE_FORMAT_EXTENSIBLE header was rewritten to plain PCM/float. */
  readonly plainWaveHeader: boolean;
}

type AnyIterator = AsyncIterator<AudioBlock> | Iterator<AudioBlock>;

function iteratorOf(blocks: AsyncIterable<AudioBlock> | Iterable<AudioBlock>): AnyIterator {
  return Symbol.asyncIterator in blocks ? blocks[Symbol.asyncIterator]() : blocks[Symbol.iterator]();
}

function interleave(block: AudioBlock, nch: number): Buffer {
  const frames = block.frames;
  const out = new Float32Array(frames * nch);
  if (nch === 2) {
    const l = block.channels[0];
    const r = block.channels[1];
    for (let i = 0, j = 0; i < frames; i++, j += 2) {
      out[j] = l[i];
      out[j + 1] = r[i];
    }
  } else {
    for (let c = 0; c < nch; c++) {
      const src = block.channels[c];
      for (let i = 0, j = c; i < frames; i++, j += nch) out[j] = src[i];
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function checkBlock(block: AudioBlock, nch: number): void {
  if (block.channels.length !== nch)
    throw new RangeError(`block has ${block.channels.length} channels, expected ${nch}`);
  if (!(Number.isInteger(block.frames) && block.frames >= 0))
    throw new RangeError(`block frames must be an integer >= 0, got ${block.frames}`);
  for (const ch of block.channels) {
    if (ch.length < block.frames)
      throw new RangeError(`block channel holds ${ch.length} samples, frames says ${block.frames}`);
  }
}

function waitWritable(proc: FfmpegProcess): Promise<void> {
  return new Promise<void>((done) => {
    const stdin = proc.stdin;
    const finish = (): void => {
      stdin.off('drain', finish);
      stdin.off('close', finish);
      stdin.off('error', finish);
      done();
    };
    stdin.once('drain', finish);
    stdin.once('close', finish);
    stdin.once('error', finish);
    void proc.exited.then(finish);
  });
}

/**
 * Encodes planar float blocks to `file`. Integer outputs are rounded by ffmpeg without dither:
 * dither in the DSP chain first when reducing depth.
 */
export async function encode(
  blocks: AsyncIterable<AudioBlock> | Iterable<AudioBlock>,
  file: string,
  options: EncodeOptions,
): Promise<EncodeResult> {
  throwIfAborted(options.signal, 'encode');
  const iterator = iteratorOf(blocks);
  let finished = false;
  try {
    let next = await iterator.next();
    const nch = options.channels ?? (next.done ? undefined : next.value.channels.length);
    if (nch === undefined) throw new RangeError('encode: no blocks and no channel count given');
    const prep = await prepare(file, options.format, nch, options.sampleRate, {
      ffmpegPath: options.ffmpegPath,
      coverArt: options.coverArt,
      requestedRate: options.outputSampleRate,
    });
    const layout = options.channelLayout ?? defaultChannelLayout(nch);
    const args = ['-hide_banner', '-nostdin', '-v', 'error'];
    args.push(
      '-protocol_whitelist',
      'pipe',
      '-f',
      'f32le',
      '-ar',
      String(options.sampleRate),
      '-ch_layout',
      layout,
      '-i',
      'pipe:0',
    );
    if (prep.cover) args.push('-protocol_whitelist', 'file', '-i', fileUrl(prep.cover));
    args.push(
      ...outputArgs({
        plan: prep.plan,
        format: options.format,
        inputRate: options.sampleRate,
        outputRate: prep.outputRate,
        tags: options.tags,
        keepTags: false,
        coverInput: prep.cover ? 1 : null,
        soxr: prep.soxr,
        partial: prep.partial,
      }),
    );
    const stall = options.stallTimeoutMs ?? ENCODE_DEFAULTS.stallTimeoutMs;
    const result = await withWorkDir(async (cwd) => {
      const proc = new FfmpegProcess({
        binary: options.ffmpegPath ?? DEFAULT_BINARIES.ffmpeg,
        args,
        cwd,
        stdin: 'pipe',
        stdout: 'ignore',
        signal: options.signal,
        file,
      });
      try {
        let frames = 0;
        while (!next.done && proc.isRunning) {
          checkBlock(next.value, nch);
          frames += next.value.frames;
          if (next.value.frames > 0 && !proc.stdin.write(interleave(next.value, nch))) {
            proc.armWatchdog(stall);
            await waitWritable(proc);
            proc.disarmWatchdog();
          }
          if (options.signal?.aborted) break;
          next = await iterator.next();
        }
        finished = next.done === true;
        proc.stdin.end();
        proc.armWatchdog(stall);
        const exit = await proc.exited;
        const failure = proc.failureOf(exit, 'ffmpeg encode');
        if (failure) throw failure;
        if (!finished)
          throw proc.error('ffmpeg-failed', 'ffmpeg encode: exited before all audio was written', exit);
        const out = await finishOutput(options.format, prep.partial, prep.target, file);
        return {
          file,
          frames,
          sampleRate: prep.outputRate,
          channels: nch,
          command: proc.commandLine,
          ...out,
        };
      } catch (error) {
        await proc.stop('cancelled');
        throw error;
      } finally {
        await rm(prep.partial, { force: true });
      }
    });
    return result;
  } finally {
    // Let a producer (a decode stream, a generator) release its resources when we stop early.
    if (!finished) await iterator.return?.();
  }
}

export interface TranscodeOptions extends FfmpegRuntimeOptions {
  readonly format: EncodeFormat;
  /** Output rate; default the source's (lossy codecs pick a supported one). */
  readonly sampleRate?: Hertz;
  /** Output channel count (ffmpeg's down/up-mix); default the source's. */
  readonly channels?: number;
  /** Copy the source's global tags (default false: all source metadata is dropped). */
  readonly keepTags?: boolean;
  /** Tags to set (override kept ones). */
  readonly tags?: Tags;
  readonly coverArt?: string;
  /** Wall-clock limit. Default 1 hour. */
  readonly timeoutMs?: number;
  /** Kill when ffmpeg reports no progress for this long. Default 60 s. */
  readonly stallTimeoutMs?: number;
  /** A probe of the input already made. */
  readonly probe?: ProbeResult;
}

export interface TranscodeResult {
  readonly file: string;
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly bytes: number;
  readonly command: string;
  readonly plainWaveHeader: boolean;
}

/** File to file through ffmpeg alone (first audio stream). */
export async function transcode(
  input: string,
  output: string,
  options: TranscodeOptions,
): Promise<TranscodeResult> {
  throwIfAborted(options.signal, 'transcode');
  const probed = options.probe ?? (await runProbe(input, options));
  const channels = options.channels ?? probed.audio.channels;
  const inputRate = probed.audio.sampleRate;
  const prep = await prepare(output, options.format, channels, inputRate, {
    ffmpegPath: options.ffmpegPath,
    coverArt: options.coverArt,
    requestedRate: options.sampleRate,
  });
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-nostats'];
  args.push('-protocol_whitelist', 'file', '-i', fileUrl(resolve(input)));
  if (prep.cover) args.push('-protocol_whitelist', 'file', '-i', fileUrl(prep.cover));
  if (channels !== probed.audio.channels) args.push('-ac', String(channels));
  args.push(
    ...outputArgs({
      plan: prep.plan,
      format: options.format,
      inputRate,
      outputRate: prep.outputRate,
      tags: options.tags,
      keepTags: options.keepTags ?? false,
      coverInput: prep.cover ? 1 : null,
      soxr: prep.soxr,
      partial: prep.partial,
    }),
  );
  return withWorkDir(async (cwd) => {
    const proc = new FfmpegProcess({
      binary: options.ffmpegPath ?? DEFAULT_BINARIES.ffmpeg,
      args,
      cwd,
      stdin: 'ignore',
      stdout: 'pipe',
      timeoutMs: options.timeoutMs ?? ENCODE_DEFAULTS.transcodeTimeoutMs,
      signal: options.signal,
      file: input,
    });
    try {
      if (proc.pid !== undefined) {
        proc.armWatchdog(options.stallTimeoutMs ?? ENCODE_DEFAULTS.stallTimeoutMs);
        // -progress prints key=value blocks about twice a second: each one proves liveness.
        proc.stdout.on('data', () => proc.touch());
      }
      const exit = await proc.exited;
      const failure = proc.failureOf(exit, 'ffmpeg transcode');
      if (failure) throw failure;
      const out = await finishOutput(options.format, prep.partial, prep.target, output);
      return { file: output, sampleRate: prep.outputRate, channels, command: proc.commandLine, ...out };
    } finally {
      if (proc.isRunning) await proc.stop('cancelled');
      await rm(prep.partial, { force: true });
    }
  });
}

/** How to keep a lossless canonical copy of an upload. */
export type CanonicalPlan =
  | {
      readonly action: 'transcode';
      readonly format: EncodeFormat;
      readonly extension: string;
      readonly reason: string;
    }
  | { readonly action: 'keep-original'; readonly reason: string };

/**
 * Lossless canonical copy: integer PCM stays integer at its depth, float stays float.
 * - integer <= 24 bits, <= 8 channels -> FLAC 16 or 24 (FLAC's encoder in ffmpeg 5.1 stops at 24
 *   bits and 8 channels; 8-bit and 20-bit sources are stored in the next container size, values exact);
 * - integer 32-bit or > 8 channels -> WAV at the source depth (RF64 past 4 GiB);
 * - float -> WAV IEEE float 32/64 (FLAC is integer-only; ffmpeg 5.1's WavPack encoder fails to
 *   read back layouts it does not know and records no bit depth, so it is not used);
 * - lossy codecs -> keep the original bytes (re-encoding loses, decoding to PCM only inflates).
 */
export function planCanonicalCopy(probed: ProbeResult): CanonicalPlan {
  const a = probed.audio;
  if (!a.lossless || a.bitDepth === null || a.sampleKind === null) {
    return {
      action: 'keep-original',
      reason: `${a.codecName} is lossy or not linear PCM: the original is the canonical copy`,
    };
  }
  if (a.sampleKind === 'float') {
    const sampleFormat: WavSampleFormat = a.bitDepth > 32 ? 'f64' : 'f32';
    return {
      action: 'transcode',
      format: { codec: 'wav', sampleFormat },
      extension: '.wav',
      reason: `${a.bitDepth}-bit float stays float: WAV ${sampleFormat}`,
    };
  }
  if (a.bitDepth <= 24 && a.channels <= 8) {
    const bitDepth = a.bitDepth <= 16 ? 16 : 24;
    return {
      action: 'transcode',
      format: { codec: 'flac', bitDepth },
      extension: '.flac',
      reason: `${a.bitDepth}-bit integer: FLAC ${bitDepth}-bit`,
    };
  }
  const sampleFormat: WavSampleFormat =
    a.bitDepth <= 8 ? 'u8' : a.bitDepth <= 16 ? 's16' : a.bitDepth <= 24 ? 's24' : 's32';
  return {
    action: 'transcode',
    format: { codec: 'wav', sampleFormat },
    extension: '.wav',
    reason: `${a.bitDepth}-bit integer, ${a.channels} channels (beyond FLAC in ffmpeg 5.1): WAV ${sampleFormat}`,
  };
}

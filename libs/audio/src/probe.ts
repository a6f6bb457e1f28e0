/**
 * Typed ffprobe: `ffprobe -print_format json -show_format -show_streams -show_error` on one file,
 * reduced to what the pipeline needs about the container and its first audio stream. WAV and AIFF
 * headers are also read directly (pcm-header.ts) because ffprobe hides what they declare.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Hertz, Seconds } from '@pressline/dsp';
import { DEFAULT_BINARIES, fileUrl, runCollect, type FfmpegRuntimeOptions } from './command';
import { AudioError } from './errors';
import { streamDepth, type SampleKind } from './formats';
import { readPcmHeader, type PcmHeaderInfo } from './pcm-header';

export interface ProbeOptions extends FfmpegRuntimeOptions {
  /** Wall-clock limit for ffprobe. Default PROBE_DEFAULTS.timeoutMs. */
  readonly timeoutMs?: number;
}

export const PROBE_DEFAULTS = Object.freeze({ timeoutMs: 30_000, maxOutputBytes: 32 << 20 });

export type Tags = Readonly<Record<string, string>>;

export interface ContainerInfo {
  /** ffmpeg demuxer name(s), e.g. 'wav', 'flac', 'mov,mp4,m4a,3gp,3g2,mj2'. */
  readonly formatName: string;
  readonly formatLongName: string | null;
  readonly durationSeconds: Seconds | null;
  readonly sizeBytes: number | null;
  /** bits per second */
  readonly bitRate: number | null;
  readonly tags: Tags;
}

export interface AudioStreamInfo {
  /** Index of the stream in the file. */
  readonly index: number;
  readonly codecName: string;
  readonly codecLongName: string | null;
  readonly profile: string | null;
  /** ffmpeg decoded sample format: s16, s32, s32p, flt, fltp, ... */
  readonly sampleFormat: string | null;
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** ffmpeg layout name ('stereo', '5.1(side)'); null when unknown. */
  readonly channelLayout: string | null;
  readonly bitsPerSample: number | null;
  readonly bitsPerRawSample: number | null;
  /** Significant bits for lossless streams (see formats.streamDepth); null for lossy. */
  readonly bitDepth: number | null;
  readonly sampleKind: SampleKind | null;
  readonly lossless: boolean;
  readonly durationSeconds: Seconds | null;
  /** Sample frames when known (exact when framesExact). */
  readonly frames: number | null;
  readonly framesExact: boolean;
  readonly bitRate: number | null;
  readonly tags: Tags;
}

export interface ProbeResult {
  /** The path as given. */
  readonly file: string;
  readonly container: ContainerInfo;
  /** The first audio stream: the one decode() reads. */
  readonly audio: AudioStreamInfo;
  readonly audioStreamCount: number;
  /** Video streams, cover art included. */
  readonly videoStreamCount: number;
  /** A video stream with the attached_pic disposition (embedded cover art). */
  readonly hasCoverArt: boolean;
  /** WAV/AIFF header as written in the file; null for other containers. */
  readonly header: PcmHeaderInfo | null;
  /**
   * Frames the file claims to hold: the WAV/AIFF header's data size, else the stream's duration
   * (FLAC STREAMINFO, MP4 sample tables, Xing/LAME headers). Decoding fewer means truncation.
   */
  readonly declaredFrames: number | null;
}

/** Leading bytes of containers we treat as "meant to be audio": a failure to open them is 'corrupt'. */
const AUDIO_MAGICS: readonly { at: number; bytes: string }[] = [
  { at: 0, bytes: 'RIFF' },
  { at: 0, bytes: 'RF64' },
  { at: 0, bytes: 'BW64' },
  { at: 0, bytes: 'FORM' },
  { at: 0, bytes: 'fLaC' },
  { at: 0, bytes: 'OggS' },
  { at: 0, bytes: 'ID3' },
  { at: 0, bytes: 'wvpk' },
  { at: 0, bytes: 'MAC ' },
  { at: 0, bytes: 'caff' },
  { at: 4, bytes: 'ftyp' },
];

export function looksLikeAudioContainer(head: Buffer): boolean {
  if (AUDIO_MAGICS.some((m) => head.toString('latin1', m.at, m.at + m.bytes.length) === m.bytes)) return true;
  // MPEG audio / ADTS frame sync.
  return head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0;
}

export async function probe(file: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const absolute = resolve(file);
  const head = await readHead(absolute, file);
  const args = [
    '-hide_banner',
    '-v',
    'error',
    '-protocol_whitelist',
    'file',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '-show_error',
    '-i',
    fileUrl(absolute),
  ];
  const { stdout, exit, process } = await runCollect({
    binary: options.ffprobePath ?? DEFAULT_BINARIES.ffprobe,
    args,
    timeoutMs: options.timeoutMs ?? PROBE_DEFAULTS.timeoutMs,
    signal: options.signal,
    maxStdoutBytes: PROBE_DEFAULTS.maxOutputBytes,
    what: 'ffprobe',
    file,
  });
  const killed = process.killedFor !== undefined || exit.spawnError !== undefined;
  if (killed)
    throw process.failureOf(exit, 'ffprobe') ?? process.error('ffmpeg-failed', 'ffprobe failed', exit);
  let json: RawProbe;
  try {
    json = JSON.parse(stdout) as RawProbe;
  } catch (cause) {
    throw process.error('ffmpeg-failed', 'ffprobe printed invalid JSON', exit, cause);
  }
  if (json.error || exit.code !== 0) {
    const reason = json.error?.string ?? `exit ${exit.code}`;
    const code = looksLikeAudioContainer(head) ? 'corrupt' : 'not-audio';
    throw process.error(
      code,
      `${code === 'corrupt' ? 'audio container cannot be opened' : 'not an audio file'}: ${reason}`,
      exit,
    );
  }
  const streams = json.streams ?? [];
  const audioStreams = streams.filter((s) => s.codec_type === 'audio');
  const videoStreams = streams.filter((s) => s.codec_type === 'video');
  const first = audioStreams[0];
  if (!first) {
    const found =
      streams.map((s) => `${s.codec_type ?? '?'} ${s.codec_name ?? '?'}`).join(', ') || 'no streams';
    throw process.error(
      'not-audio',
      `no audio stream (found: ${found}; format ${json.format?.format_name ?? '?'})`,
      exit,
    );
  }
  const audio = toAudioStream(first);
  if (!(audio.sampleRate > 0) || !(audio.channels > 0)) {
    throw process.error(
      'unsupported',
      `ffprobe reports ${audio.channels} channels at ${audio.sampleRate} Hz for ${audio.codecName}`,
      exit,
    );
  }
  const container = toContainer(json.format);
  const header = /\b(wav|aiff)\b/.test(container.formatName) ? await readPcmHeader(absolute) : null;
  return {
    file,
    container,
    audio,
    audioStreamCount: audioStreams.length,
    videoStreamCount: videoStreams.length,
    hasCoverArt: videoStreams.some((s) => s.disposition?.attached_pic === 1),
    header,
    declaredFrames: header?.declaredFrames ?? audio.frames,
  };
}

async function readHead(absolute: string, file: string): Promise<Buffer> {
  let size: number;
  try {
    const st = await stat(absolute);
    if (!st.isFile()) throw new AudioError('unreadable', `not a regular file: ${file}`, { file });
    size = st.size;
  } catch (error) {
    if (error instanceof AudioError) throw error;
    throw fsError(error, file);
  }
  if (size === 0) throw new AudioError('empty', `file is empty (0 bytes): ${file}`, { file });
  try {
    const fh = await open(absolute, 'r');
    try {
      const buf = Buffer.alloc(16);
      const { bytesRead } = await fh.read(buf, 0, 16, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (error) {
    throw fsError(error, file);
  }
}

export function fsError(error: unknown, file: string): AudioError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AudioError('not-found', `no such file: ${file}`, { file, cause: error });
  }
  return new AudioError('unreadable', `cannot read ${file}: ${code ?? String(error)}`, {
    file,
    cause: error,
  });
}

interface RawStream {
  index?: number;
  codec_name?: string;
  codec_long_name?: string;
  profile?: string;
  codec_type?: string;
  sample_fmt?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  bits_per_sample?: number;
  bits_per_raw_sample?: string;
  time_base?: string;
  duration_ts?: number;
  duration?: string;
  bit_rate?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
}

interface RawFormat {
  format_name?: string;
  format_long_name?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
  tags?: Record<string, string>;
}

interface RawProbe {
  streams?: RawStream[];
  format?: RawFormat;
  error?: { code?: number; string?: string };
}

function num(value: string | number | undefined): number | null {
  if (value === undefined || value === '' || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function toContainer(format: RawFormat | undefined): ContainerInfo {
  return {
    formatName: format?.format_name ?? 'unknown',
    formatLongName: format?.format_long_name ?? null,
    durationSeconds: num(format?.duration),
    sizeBytes: num(format?.size),
    bitRate: num(format?.bit_rate),
    tags: { ...(format?.tags ?? {}) },
  };
}

function toAudioStream(s: RawStream): AudioStreamInfo {
  const sampleRate = num(s.sample_rate) ?? 0;
  const bitsPerSample = num(s.bits_per_sample);
  const bitsPerRawSample = num(s.bits_per_raw_sample);
  const codecName = s.codec_name ?? 'unknown';
  const sampleFormat = s.sample_fmt ?? null;
  const durationSeconds = num(s.duration);
  // duration_ts counts samples exactly when the time base is 1/sample_rate (WAV, FLAC, ALAC, ...).
  const durationTs = num(s.duration_ts);
  const framesExact = durationTs !== null && s.time_base === `1/${sampleRate}`;
  const frames = framesExact
    ? durationTs
    : durationSeconds !== null && sampleRate > 0
      ? Math.round(durationSeconds * sampleRate)
      : null;
  const layout = s.channel_layout && s.channel_layout !== 'unknown' ? s.channel_layout : null;
  return {
    index: s.index ?? 0,
    codecName,
    codecLongName: s.codec_long_name ?? null,
    profile: s.profile ?? null,
    sampleFormat,
    sampleRate,
    channels: s.channels ?? 0,
    channelLayout: layout,
    bitsPerSample,
    bitsPerRawSample,
    ...streamDepth({ codecName, sampleFormat, bitsPerSample, bitsPerRawSample }),
    durationSeconds,
    frames,
    framesExact,
    bitRate: num(s.bit_rate),
    tags: { ...(s.tags ?? {}) },
  };
}

/**
 * Sample formats, bit depth and losslessness of ffmpeg codecs, and one-line human descriptions.
 * Names are ffmpeg's (libavutil/samplefmt.h, libavcodec codec names).
 */
import type { Hertz, Seconds } from '@pressline/dsp';

export type SampleKind = 'int' | 'float';

export interface SampleFormatInfo {
  /** ffmpeg name: u8, s16, s32, s64, flt, dbl, optionally with a 'p' (planar) suffix. */
  readonly name: string;
  readonly kind: SampleKind;
  /** Bits of the container sample (a 24-bit FLAC decodes to s32: 32 here). */
  readonly bits: number;
  readonly planar: boolean;
  readonly unsigned: boolean;
}

const SAMPLE_FORMATS: Readonly<Record<string, Omit<SampleFormatInfo, 'name' | 'planar'>>> = Object.freeze({
  u8: { kind: 'int', bits: 8, unsigned: true },
  s16: { kind: 'int', bits: 16, unsigned: false },
  s32: { kind: 'int', bits: 32, unsigned: false },
  s64: { kind: 'int', bits: 64, unsigned: false },
  flt: { kind: 'float', bits: 32, unsigned: false },
  dbl: { kind: 'float', bits: 64, unsigned: false },
});

/** Describes an ffmpeg sample format name ('s32p', 'flt', ...); null for unknown names. */
export function sampleFormatInfo(name: string): SampleFormatInfo | null {
  const planar = name.length > 1 && name.endsWith('p') && name !== 'p';
  const base = planar ? name.slice(0, -1) : name;
  const info = SAMPLE_FORMATS[base];
  return info ? { name, planar, ...info } : null;
}

/** Codecs whose decoded samples are exactly what was encoded. */
const LOSSLESS_CODECS: ReadonlySet<string> = new Set([
  'flac',
  'alac',
  'wavpack',
  'tta',
  'ape',
  'mlp',
  'truehd',
  'mp4als',
  'shorten',
  'tak',
]);

/** Companded or otherwise non-linear PCM: not lossless, no meaningful linear bit depth. */
const NONLINEAR_PCM: ReadonlySet<string> = new Set(['pcm_alaw', 'pcm_mulaw', 'pcm_vidc']);

export interface StreamDepthInput {
  readonly codecName: string;
  readonly sampleFormat: string | null;
  /** ffprobe bits_per_sample (container bits for PCM; 0 for most compressed codecs). */
  readonly bitsPerSample: number | null;
  /** ffprobe bits_per_raw_sample (significant bits, e.g. 24 for a FLAC decoded to s32). */
  readonly bitsPerRawSample: number | null;
}

export interface StreamDepth {
  /** Significant bits per sample for lossless streams; null for lossy or non-linear codecs. */
  readonly bitDepth: number | null;
  readonly sampleKind: SampleKind | null;
  readonly lossless: boolean;
}

/**
 * Bit depth of a stream as a person means it: a pcm_s24le WAV is 24-bit (decoded to s32), a FLAC
 * with bits_per_raw_sample 24 is 24-bit, a float WAV is 32-bit float, an MP3 has no bit depth.
 */
export function streamDepth(stream: StreamDepthInput): StreamDepth {
  const codec = stream.codecName;
  const fmt = stream.sampleFormat ? sampleFormatInfo(stream.sampleFormat) : null;
  if (NONLINEAR_PCM.has(codec)) return { bitDepth: null, sampleKind: null, lossless: false };
  const pcm = /^pcm_([suf])(8|16|24|32|64)/.exec(codec);
  if (pcm) {
    const kind: SampleKind = pcm[1] === 'f' ? 'float' : 'int';
    const bits = Number(pcm[2]);
    // A WAVE_FORMAT_EXTENSIBLE header may declare fewer valid bits (20 in a 24-bit container).
    const raw = stream.bitsPerRawSample;
    const bitDepth = kind === 'int' && raw !== null && raw > 0 && raw < bits ? raw : bits;
    return { bitDepth, sampleKind: kind, lossless: true };
  }
  if (codec.startsWith('pcm_')) {
    // pcm_bluray, pcm_dvd, pcm_s24daud, ...: integer PCM of bits_per_raw_sample or the container size.
    const bits = positive(stream.bitsPerRawSample) ?? positive(stream.bitsPerSample) ?? fmt?.bits ?? null;
    return { bitDepth: bits, sampleKind: fmt?.kind ?? 'int', lossless: true };
  }
  if (LOSSLESS_CODECS.has(codec)) {
    if (fmt?.kind === 'float') return { bitDepth: fmt.bits, sampleKind: 'float', lossless: true };
    const bits = positive(stream.bitsPerRawSample) ?? positive(stream.bitsPerSample) ?? fmt?.bits ?? null;
    return { bitDepth: bits, sampleKind: 'int', lossless: true };
  }
  return { bitDepth: null, sampleKind: null, lossless: false };
}

function positive(n: number | null): number | null {
  return n !== null && Number.isFinite(n) && n > 0 ? n : null;
}

/** The fields describeFormat() needs; a ProbeResult satisfies it. */
export interface DescribableFormat {
  readonly container: { readonly formatName: string };
  readonly audio: {
    readonly codecName: string;
    readonly sampleRate: Hertz;
    readonly channels: number;
    readonly channelLayout: string | null;
    readonly bitDepth: number | null;
    readonly sampleKind: SampleKind | null;
    readonly lossless: boolean;
    readonly bitRate: number | null;
    readonly durationSeconds: Seconds | null;
  };
}

const CODEC_LABELS: Readonly<Record<string, string>> = Object.freeze({
  flac: 'FLAC',
  alac: 'ALAC',
  mp3: 'MP3',
  aac: 'AAC',
  vorbis: 'Vorbis',
  opus: 'Opus',
  wavpack: 'WavPack',
});

/** e.g. "WAV PCM 24-bit, 96 kHz, stereo, 1:00:00.000" or "MP3 320 kb/s (lossy), 44.1 kHz, stereo, 3:30.201". */
export function describeFormat(format: DescribableFormat): string {
  const a = format.audio;
  const parts: string[] = [];
  const isPcm = a.codecName.startsWith('pcm_');
  const container = format.container.formatName.split(',')[0].toUpperCase();
  const label = isPcm ? `${container} PCM` : (CODEC_LABELS[a.codecName] ?? a.codecName);
  if (a.bitDepth !== null) {
    parts.push(`${label} ${a.bitDepth}-bit${a.sampleKind === 'float' ? ' float' : ''}`);
  } else {
    const rate = a.bitRate ? ` ${Math.round(a.bitRate / 1000)} kb/s` : '';
    parts.push(`${label}${rate}${a.lossless ? '' : ' (lossy)'}`);
  }
  parts.push(`${formatRate(a.sampleRate)}`);
  parts.push(channelsLabel(a.channels, a.channelLayout));
  if (a.durationSeconds !== null) parts.push(formatDuration(a.durationSeconds));
  return parts.join(', ');
}

export function formatRate(sampleRate: Hertz): string {
  const khz = sampleRate / 1000;
  return `${Number.isInteger(khz) ? khz : Number(khz.toFixed(3))} kHz`;
}

export function channelsLabel(channels: number, layout: string | null): string {
  if (layout && layout !== 'unknown') return layout;
  if (channels === 1) return 'mono';
  if (channels === 2) return 'stereo';
  return `${channels} channels`;
}

/** m:ss.mmm, or h:mm:ss.mmm from one hour. */
export function formatDuration(seconds: Seconds): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

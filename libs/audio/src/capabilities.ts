/**
 * What this ffmpeg build can do, asked once per binary and cached (PeerTube does the same for its
 * encoders): the audio encoders present and whether libsoxr is compiled in.
 */
import { runCollect, DEFAULT_BINARIES } from './command';
import { AudioError } from './errors';

export interface FfmpegCapabilities {
  readonly version: string;
  readonly soxr: boolean;
  readonly encoders: ReadonlySet<string>;
}

const cache = new Map<string, Promise<FfmpegCapabilities>>();
const QUERY_TIMEOUT_MS = 15_000;

export function ffmpegCapabilities(
  ffmpegPath: string = DEFAULT_BINARIES.ffmpeg,
): Promise<FfmpegCapabilities> {
  let pending = cache.get(ffmpegPath);
  if (!pending) {
    pending = query(ffmpegPath);
    // A failed query (binary missing) must not be cached forever.
    pending.catch(() => cache.delete(ffmpegPath));
    cache.set(ffmpegPath, pending);
  }
  return pending;
}

async function query(ffmpegPath: string): Promise<FfmpegCapabilities> {
  const version = await runCollect({
    binary: ffmpegPath,
    args: ['-hide_banner', '-version'],
    timeoutMs: QUERY_TIMEOUT_MS,
    maxStdoutBytes: 1 << 20,
    what: 'ffmpeg -version',
  });
  const failure = version.process.failureOf(version.exit, 'ffmpeg -version');
  if (failure) throw failure;
  const encoders = await runCollect({
    binary: ffmpegPath,
    args: ['-hide_banner', '-encoders'],
    timeoutMs: QUERY_TIMEOUT_MS,
    maxStdoutBytes: 1 << 20,
    what: 'ffmpeg -encoders',
  });
  const encodersFailure = encoders.process.failureOf(encoders.exit, 'ffmpeg -encoders');
  if (encodersFailure) throw encodersFailure;
  const names = new Set<string>();
  // Lines look like " A....D libmp3lame           libmp3lame MP3 (MPEG audio layer 3) (codec mp3)".
  for (const line of encoders.stdout.split('\n')) {
    const match = /^\s*A[.A-Z]{5}\s+(\S+)/.exec(line);
    if (match) names.add(match[1]);
  }
  const first = version.stdout.split('\n')[0] ?? '';
  const versionMatch = /version\s+(\S+)/.exec(first);
  if (!versionMatch) throw new AudioError('ffmpeg-failed', `cannot read the ffmpeg version from: ${first}`);
  return Object.freeze({
    version: versionMatch[1],
    soxr: version.stdout.includes('--enable-libsoxr'),
    encoders: names,
  });
}

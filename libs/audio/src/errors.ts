/**
 * Errors of libs/audio. Every failure that escapes carries a stable `code` that callers switch on
 * (ingest turns them into refusal reasons), whether a retry can help, and, when a process was run,
 * the command line and the tail of its stderr.
 */

/** Stable error codes. Documented with their causes in libs/audio/README.md. */
export type AudioErrorCode =
  /** The path does not exist. */
  | 'not-found'
  /** The path exists but cannot be read (permissions, a directory, an I/O error). */
  | 'unreadable'
  /** The file has zero bytes. */
  | 'empty'
  /** No demuxer recognises the content, or it holds no audio stream (an image, a text file). */
  | 'not-audio'
  /** It starts like an audio container (RIFF, fLaC, OggS, ...) but its header cannot be read. */
  | 'corrupt'
  /** A codec, layout or option this ffmpeg build (or this library) does not handle. */
  | 'unsupported'
  /** decodeAll() was asked for more frames than its limit. */
  | 'too-long'
  /** ffmpeg/ffprobe could not be started. */
  | 'ffmpeg-missing'
  /** ffmpeg/ffprobe exited non-zero, or printed output that cannot be parsed. */
  | 'ffmpeg-failed'
  /** The process ran past its time limit or stalled, and was killed. */
  | 'timeout'
  /** The caller's AbortSignal fired; the process was killed. */
  | 'aborted'
  /** Writing or renaming the output file failed. */
  | 'output-failed';

export interface AudioErrorDetails {
  /** The command as one human-readable line (quoted for display only: nothing is run through a shell). */
  readonly command?: string;
  readonly exitCode?: number | null;
  readonly exitSignal?: string | null;
  /** Last lines of the process's stderr. */
  readonly stderrTail?: string;
  readonly file?: string;
  readonly cause?: unknown;
}

const RETRYABLE: ReadonlySet<AudioErrorCode> = new Set<AudioErrorCode>(['timeout', 'ffmpeg-missing']);

export class AudioError extends Error {
  override readonly name = 'AudioError';
  readonly code: AudioErrorCode;
  readonly command: string | undefined;
  readonly exitCode: number | null | undefined;
  readonly exitSignal: string | null | undefined;
  readonly stderrTail: string | undefined;
  readonly file: string | undefined;
  /** True when running the same call again (later, elsewhere) may succeed. */
  readonly retryable: boolean;

  constructor(code: AudioErrorCode, message: string, details: AudioErrorDetails = {}) {
    super(
      AudioError.compose(message, details),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.exitSignal = details.exitSignal;
    this.stderrTail = details.stderrTail;
    this.file = details.file;
    this.retryable = RETRYABLE.has(code);
  }

  private static compose(message: string, details: AudioErrorDetails): string {
    const parts = [message];
    if (details.command) parts.push(`command: ${details.command}`);
    const tail = details.stderrTail?.trim();
    if (tail) parts.push(`stderr: ${tail}`);
    return parts.join('\n');
  }
}

export function isAudioError(error: unknown, code?: AudioErrorCode): error is AudioError {
  return error instanceof AudioError && (code === undefined || error.code === code);
}

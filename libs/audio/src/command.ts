/**
 * One ffmpeg/ffprobe process: spawned with an argument array (never a shell), stderr drained into
 * a bounded tail plus a capped list of distinct messages, killed with SIGKILL on timeout, stall,
 * abort or cancel, and awaited so that no child outlives its caller. The shape follows PeerTube's
 * FFmpegCommandWrapper (packages/ffmpeg/src/ffmpeg-command-wrapper.ts): explicit working folder,
 * errors that carry the command line and stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AudioError, type AudioErrorCode } from './errors';

/** Binaries and limits shared by every call; each call can override them. */
export interface FfmpegRuntimeOptions {
  /** ffmpeg binary, resolved on PATH when not absolute. Default 'ffmpeg'. */
  readonly ffmpegPath?: string;
  /** ffprobe binary. Default 'ffprobe'. */
  readonly ffprobePath?: string;
  /** Kills the process when fired; the call rejects with AudioError 'aborted'. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_BINARIES = Object.freeze({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' });

/** Why the process was killed by us (as opposed to exiting on its own). */
export type KillReason = 'timeout' | 'stalled' | 'aborted' | 'cancelled';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when spawning failed (ENOENT: binary missing). */
  readonly spawnError?: NodeJS.ErrnoException;
}

/** Formats an argument vector for messages and logs (POSIX single quotes where needed). */
export function formatCommandLine(binary: string, args: readonly string[]): string {
  return [binary, ...args].map(quoteForDisplay).join(' ');
}

function quoteForDisplay(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `file:` + absolute path: stops ffmpeg reading a name as a protocol (pipe:, http:) or an option (-x). */
export function fileUrl(absolutePath: string): string {
  return `file:${absolutePath}`;
}

const STDERR_TAIL_CHARS = 4000;
const MAX_DISTINCT_MESSAGES = 50;

/**
 * Keeps the last STDERR_TAIL_CHARS of stderr and the distinct messages (with counts). Messages
 * are normalised: the `@ 0x55d...` context pointers ffmpeg prints are dropped so that the same
 * error on every frame collapses into one entry.
 */
export class StderrCollector {
  private tail = '';
  private partial = '';
  private readonly counts = new Map<string, number>();
  private total = 0;

  push(text: string): void {
    this.tail = (this.tail + text).slice(-STDERR_TAIL_CHARS);
    const lines = (this.partial + text).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.addLine(line);
  }

  /** Flushes a last line without a newline. */
  end(): void {
    if (this.partial) this.addLine(this.partial);
    this.partial = '';
  }

  get tailText(): string {
    return this.tail.trim();
  }

  /** Every non-empty line counted (with `-v error` every line is an error). */
  get lineCount(): number {
    return this.total;
  }

  /** Distinct normalised messages, `message (xN)` when repeated, at most MAX_DISTINCT_MESSAGES. */
  messages(): string[] {
    return [...this.counts].map(([m, n]) => (n > 1 ? `${m} (x${n})` : m));
  }

  private addLine(raw: string): void {
    const line = raw.replace(/ @ 0x[0-9a-f]+\]/gi, ']').trim();
    if (!line) return;
    this.total++;
    const seen = this.counts.get(line);
    if (seen !== undefined) this.counts.set(line, seen + 1);
    else if (this.counts.size < MAX_DISTINCT_MESSAGES) this.counts.set(line, 1);
  }
}

export interface SpawnOptions {
  readonly binary: string;
  readonly args: readonly string[];
  /** Working folder; default os.tmpdir() (never the caller's cwd). */
  readonly cwd?: string;
  readonly stdin: 'ignore' | 'pipe';
  readonly stdout: 'ignore' | 'pipe';
  /** Wall-clock limit; kill reason 'timeout'. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly file?: string;
}

export class FfmpegProcess {
  readonly commandLine: string;
  readonly stderr = new StderrCollector();
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private running = true;
  private killReason: KillReason | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.kill('aborted');
  private readonly signal: AbortSignal | undefined;
  private readonly file: string | undefined;

  constructor(options: SpawnOptions) {
    this.commandLine = formatCommandLine(options.binary, options.args);
    this.signal = options.signal;
    this.file = options.file;
    this.child = spawn(options.binary, [...options.args], {
      cwd: options.cwd ?? tmpdir(),
      stdio: [options.stdin, options.stdout, 'pipe'],
      shell: false,
      windowsHide: true,
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => this.stderr.push(text));
    this.exited = new Promise<ProcessExit>((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        // 'error' without 'close' happens when spawn itself failed.
        if (this.child.pid === undefined)
          this.finish(resolve, { code: null, signal: null, spawnError: error });
      });
      this.child.once('close', (code, signal) => this.finish(resolve, { code, signal }));
    });
    // An EPIPE on stdin is reported through exit status and stderr, not as an unhandled error.
    this.child.stdin?.on('error', () => undefined);
    if (options.timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.kill('timeout'), options.timeoutMs);
    }
    if (this.signal) {
      if (this.signal.aborted) this.kill('aborted');
      else this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get killedFor(): KillReason | undefined {
    return this.killReason;
  }

  get stdout(): Readable {
    if (!this.child.stdout) throw new Error('stdout is not piped');
    return this.child.stdout;
  }

  get stdin(): Writable {
    if (!this.child.stdin) throw new Error('stdin is not piped');
    return this.child.stdin;
  }

  /** Starts (or restarts) the stall watchdog: kill with 'stalled' if not touched within ms. */
  armWatchdog(ms: number): void {
    if (!this.running) return;
    if (this.watchdog) this.watchdog.refresh();
    else this.watchdog = setTimeout(() => this.kill('stalled'), ms);
  }

  /** Progress seen: restart the stall clock if it is armed. */
  touch(): void {
    this.watchdog?.refresh();
  }

  disarmWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  kill(reason: KillReason): void {
    if (!this.running) return;
    this.killReason ??= reason;
    this.child.kill('SIGKILL');
  }

  /** Kills if still running and waits until the child is reaped. */
  async stop(reason: KillReason): Promise<ProcessExit> {
    this.kill(reason);
    return this.exited;
  }

  /** An AudioError carrying this command and the stderr tail. */
  error(code: AudioErrorCode, message: string, exit?: ProcessExit, cause?: unknown): AudioError {
    return new AudioError(code, message, {
      command: this.commandLine,
      exitCode: exit?.code,
      exitSignal: exit?.signal,
      stderrTail: this.stderr.tailText,
      file: this.file,
      cause: cause ?? exit?.spawnError,
    });
  }

  /**
   * Turns an exit into the error it means, or undefined for a clean exit 0. Kill reasons win over
   * the exit code (a killed process exits by SIGKILL).
   */
  failureOf(exit: ProcessExit, what: string): AudioError | undefined {
    if (exit.spawnError) {
      return this.error(
        'ffmpeg-missing',
        `${what}: cannot start (${exit.spawnError.code ?? exit.spawnError.message})`,
        exit,
      );
    }
    switch (this.killReason) {
      case 'timeout':
        return this.error('timeout', `${what}: time limit reached, process killed`, exit);
      case 'stalled':
        return this.error('timeout', `${what}: no progress within the stall limit, process killed`, exit);
      case 'aborted':
        return this.error('aborted', `${what}: aborted`, exit, this.signal?.reason);
      case 'cancelled':
        return this.error('aborted', `${what}: cancelled by the consumer`, exit);
      case undefined:
        break;
    }
    if (exit.code !== 0) {
      return this.error(
        'ffmpeg-failed',
        `${what}: exited with ${exit.code ?? exit.signal ?? 'unknown status'}`,
        exit,
      );
    }
    return undefined;
  }

  private finish(resolve: (exit: ProcessExit) => void, exit: ProcessExit): void {
    if (!this.running) return;
    this.running = false;
    this.stderr.end();
    if (this.timer) clearTimeout(this.timer);
    this.disarmWatchdog();
    this.signal?.removeEventListener('abort', this.onAbort);
    resolve(exit);
  }
}

/** Runs a process to completion, collecting stdout up to maxStdoutBytes (excess is an error). */
export async function runCollect(
  options: Omit<SpawnOptions, 'stdin' | 'stdout'> & {
    readonly maxStdoutBytes: number;
    readonly what: string;
  },
): Promise<{ stdout: string; exit: ProcessExit; process: FfmpegProcess }> {
  throwIfAborted(options.signal, options.what);
  const proc = new FfmpegProcess({ ...options, stdin: 'ignore', stdout: 'pipe' });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let overflow = false;
  if (proc.pid !== undefined) {
    proc.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxStdoutBytes) {
        overflow = true;
        proc.kill('cancelled');
      } else chunks.push(chunk);
    });
  }
  const exit = await proc.exited;
  if (overflow)
    throw proc.error(
      'ffmpeg-failed',
      `${options.what}: output larger than ${options.maxStdoutBytes} bytes`,
      exit,
    );
  return { stdout: Buffer.concat(chunks).toString('utf8'), exit, process: proc };
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted)
    throw new AudioError('aborted', `${what}: aborted before start`, { cause: signal.reason });
}

/** A private temporary working folder for one process, removed afterwards whatever happens. */
export async function withWorkDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pressline-audio-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

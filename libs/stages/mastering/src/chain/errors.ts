import { isAudioError } from '@pressline/audio';
import { ERROR_CODES, type ErrorCode } from '@pressline/contracts';
import type { MasterReport } from './report';

/**
 * An expected failure of mastering: a stable code of contracts/errors.ts and a reason a person
 * understands. The worker task returns it as a value (MasterFailure); the stage turns it into a
 * StageError, the CLI into a message and a non-zero exit code.
 */
export class MasteringError extends Error {
  readonly retryable: boolean;
  /** The report of the attempt that missed its target (target-not-met), for diagnosis. */
  readonly report?: MasterReport;
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    options: { retryable?: boolean; cause?: unknown; report?: MasterReport } = {},
  ) {
    super(`${code}: ${reason}`, { cause: options.cause });
    this.name = 'MasteringError';
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.report = options.report;
  }
}

/** What a failed mastering run returns across the worker boundary. */
export interface MasterFailure {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly retryable: boolean;
  readonly report?: MasterReport;
}

/** Maps anything thrown by a mastering run to a MasterFailure (audio errors keep their meaning). */
export function toMasterFailure(e: unknown): MasterFailure {
  if (e instanceof MasteringError)
    return { code: e.code, reason: e.reason, retryable: e.retryable, report: e.report };
  if (isAudioError(e)) {
    const first = e.message.split('\n')[0];
    switch (e.code) {
      case 'not-audio':
      case 'empty':
        return { code: 'not-audio', reason: first, retryable: false };
      case 'corrupt':
        return { code: 'truncated-or-corrupt', reason: first, retryable: false };
      case 'unsupported':
        return { code: 'unsupported-format', reason: first, retryable: false };
      case 'timeout':
      case 'ffmpeg-missing':
        return { code: 'transient', reason: first, retryable: true };
      case 'not-found':
      case 'unreadable':
      case 'too-long':
      case 'ffmpeg-failed':
      case 'aborted':
      case 'output-failed':
        return { code: 'processing-failed', reason: first, retryable: e.retryable };
    }
  }
  if (e instanceof RangeError) return { code: 'processing-failed', reason: e.message, retryable: false };
  return { code: 'internal', reason: e instanceof Error ? e.message : String(e), retryable: true };
}

import type { Logger } from 'pino';
import {
  ERROR_CODES,
  type ErrorCode,
  type ReleaseRecord,
  type StepName,
  type StepRequestV1,
} from '@pressline/contracts';
import type { ArtifactStore } from '@pressline/storage';
import type { CpuPool } from './cpu-pool';

/** What a stage gets to do its work: the request, the store, a private folder, progress, the CPU pool. */
export interface StageContext {
  readonly request: StepRequestV1;
  readonly store: ArtifactStore;
  /** Where this step's outputs go: deterministic per (track, step, stage version, inputs, params). */
  readonly outputPrefix: string;
  /** A temporary folder of this attempt, removed afterwards. */
  readonly workDir: string;
  readonly logger: Logger;
  readonly cpu: CpuPool;
  /** Reports progress 0..100 (throttled into status events). */
  progress(percent: number): void;
  /** The release as submitted (metadata, tracks), read once per attempt. */
  release(): Promise<ReleaseRecord>;
}

export interface StageResult {
  /** Artifacts written (name -> key). Merged into the inputs of the next step. */
  readonly outputs: Record<string, string>;
  /** A small JSON summary shown in the status API (figures, decisions). */
  readonly summary?: Record<string, unknown>;
}

/**
 * A stage is a library: a function from (request, store) to (outputs, result). The runtime does
 * the rest (consume, idempotency, retries, dead letters, status, routing) on any transport.
 */
export interface StageDefinition {
  readonly step: StepName;
  /** Changes whenever the stage's outputs would change for the same inputs: part of the output key. */
  readonly version: string;
  /** The subset of the release parameters that influences this step's outputs. */
  paramsFor(request: StepRequestV1): Record<string, unknown>;
  run(context: StageContext): Promise<StageResult>;
}

export interface TrackOutcome {
  readonly schema: 'pressline.track-outcome.v1';
  readonly trackId: string;
  readonly jobId: string;
  readonly state: 'succeeded' | 'failed' | 'cancelled';
  readonly step: StepName;
  readonly error?: { code: string; reason: string };
  /** Every artifact of the track's run (name -> key), on success. */
  readonly artifacts?: Record<string, string>;
  readonly at: string;
}

export interface ReleaseContext {
  readonly release: ReleaseRecord;
  /** Outcome of every track, in track order. */
  readonly outcomes: readonly TrackOutcome[];
  readonly store: ArtifactStore;
  readonly outputPrefix: string;
  readonly workDir: string;
  readonly logger: Logger;
}

export interface ReleaseResult {
  readonly outputs: Record<string, string>;
  readonly summary?: Record<string, unknown>;
}

/** Runs once every track of a release has ended: builds the release-level deliverable. */
export interface ReleaseHandlerDefinition {
  readonly version: string;
  run(context: ReleaseContext): Promise<ReleaseResult>;
}

/**
 * An expected failure of a stage, with a stable code and a reason a person understands.
 * `retryable` defaults to what the code says (contracts/errors.ts).
 */
export class StageError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(`${code}: ${reason}`, { cause: options.cause });
    this.name = 'StageError';
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }
}

/**
 * Not an error: the step cannot run yet (it waits for other tracks, e.g. album mastering needs
 * every track's analysis). The runtime re-queues the request after `delayMs` without counting an
 * attempt, up to the runtime's deferral limit, then fails the track with the reason.
 */
export class StageDeferred extends Error {
  constructor(
    readonly reason: string,
    readonly delayMs = 2000,
  ) {
    super(`deferred: ${reason}`);
    this.name = 'StageDeferred';
  }
}

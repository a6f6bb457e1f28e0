import type { StatusEventV1, StepError, StepName, StepState } from '@pressline/contracts';

export type TrackState = 'awaiting-upload' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StepStatus {
  state: StepState;
  progress: number;
  attempts: number;
  error?: StepError;
  outputs?: Record<string, string>;
  summary?: Record<string, unknown>;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  /** Every distinct status change, in order. */
  history: Array<{
    state: StepState;
    at: string;
    attempt?: number;
    progress?: number;
    error?: StepError;
    worker?: string;
  }>;
}

/** The status projection of one track: what the status API shows. */
export interface TrackStatusDoc {
  schema: 'pressline.track-status.v1';
  tenantId: string;
  releaseId: string;
  trackId: string;
  jobId: string | null;
  state: TrackState;
  route: StepName[];
  steps: Partial<Record<StepName, StepStatus>>;
  error?: StepError & { step: StepName };
  updatedAt: string;
  /** Ids of the events already applied (bounded): redelivered events are dropped. */
  appliedEventIds: string[];
}

export interface ReleaseStatusDoc {
  schema: 'pressline.release-status.v1';
  state: 'succeeded' | 'failed';
  jobId: string;
  outputs?: Record<string, string>;
  summary?: Record<string, unknown>;
  error?: StepError;
  at: string;
  appliedEventIds: string[];
}

const TERMINAL: ReadonlySet<StepState> = new Set(['succeeded', 'failed', 'cancelled']);
const MAX_APPLIED_IDS = 500;

export function newTrackStatus(input: {
  tenantId: string;
  releaseId: string;
  trackId: string;
  route: StepName[];
}): TrackStatusDoc {
  return {
    schema: 'pressline.track-status.v1',
    ...input,
    jobId: null,
    state: 'awaiting-upload',
    steps: {},
    updatedAt: new Date().toISOString(),
    appliedEventIds: [],
  };
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

/**
 * Applies one status event to a track's status, in place. Pure: the projector stores the result.
 * - an event already applied (same id) is dropped: at-least-once delivery produces duplicates;
 * - an event of another job than the track's current one is stale (a retry started a new job);
 * - once a step ended (succeeded/failed/cancelled) in a job, later non-final events of that step
 *   (a redelivered "started") do not bring it back.
 */
export function applyStatusEvent(doc: TrackStatusDoc, event: StatusEventV1): ApplyOutcome {
  if (event.step === 'release') return 'stale';
  if (doc.appliedEventIds.includes(event.eventId)) return 'duplicate';
  if (doc.jobId !== null && event.jobId !== doc.jobId) return 'stale';
  doc.jobId ??= event.jobId;
  const step = (doc.steps[event.step] ??= { state: 'queued', progress: 0, attempts: 0, history: [] });
  if (TERMINAL.has(step.state) && !TERMINAL.has(event.state)) {
    remember(doc, event.eventId);
    return 'duplicate';
  }
  step.history.push({
    state: event.state,
    at: event.at,
    attempt: event.attempt,
    progress: event.progress,
    error: event.error,
    worker: event.worker,
  });
  switch (event.state) {
    case 'queued':
      step.queuedAt ??= event.at;
      if (step.state !== 'started' && step.state !== 'progress' && step.state !== 'retried')
        step.state = 'queued';
      break;
    case 'started':
      step.state = 'started';
      step.startedAt ??= event.at;
      step.attempts = Math.max(step.attempts, event.attempt ?? 1);
      break;
    case 'progress':
      step.state = 'progress';
      step.progress = Math.max(step.progress, event.progress ?? 0);
      break;
    case 'retried':
      step.state = 'retried';
      step.error = event.error;
      break;
    case 'succeeded':
      step.state = 'succeeded';
      step.progress = 100;
      step.endedAt = event.at;
      step.error = undefined;
      step.outputs = event.outputs;
      step.summary = event.summary;
      break;
    case 'failed':
    case 'cancelled':
      step.state = event.state;
      step.endedAt = event.at;
      step.error = event.error;
      break;
  }
  doc.state = deriveTrackState(doc, event);
  if (doc.state === 'failed' || doc.state === 'cancelled') {
    doc.error = event.error ? { ...event.error, step: event.step } : doc.error;
  } else if (doc.state !== 'succeeded') {
    doc.error = undefined;
  }
  doc.updatedAt = event.at;
  remember(doc, event.eventId);
  return 'applied';
}

function deriveTrackState(doc: TrackStatusDoc, event: StatusEventV1): TrackState {
  if (event.state === 'failed') return 'failed';
  if (event.state === 'cancelled') return 'cancelled';
  if (doc.state === 'failed' || doc.state === 'cancelled') return doc.state;
  const last = doc.route[doc.route.length - 1];
  if (doc.steps[last]?.state === 'succeeded') return 'succeeded';
  const anyActive = Object.values(doc.steps).some((s) => s && s.state !== 'queued');
  return anyActive ? 'running' : 'queued';
}

function remember(doc: TrackStatusDoc, id: string): void {
  doc.appliedEventIds.push(id);
  if (doc.appliedEventIds.length > MAX_APPLIED_IDS)
    doc.appliedEventIds.splice(0, doc.appliedEventIds.length - MAX_APPLIED_IDS);
}

export function isTerminal(state: TrackState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

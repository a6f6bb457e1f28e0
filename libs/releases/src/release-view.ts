import type { ReleaseRecord, StepName, StepError } from '@pressline/contracts';
import {
  isTerminal,
  type ReleaseStatusDoc,
  type StepStatus,
  type TrackState,
  type TrackStatusDoc,
} from './track-status';

export type ReleaseState =
  | 'awaiting-upload'
  | 'running'
  | 'packaging'
  | 'completed'
  | 'completed-with-failures'
  | 'failed'
  | 'cancelled';

export interface StepView {
  state: StepStatus['state'];
  progress: number;
  attempts: number;
  error?: StepError;
  startedAt?: string;
  endedAt?: string;
  summary?: Record<string, unknown>;
  history?: StepStatus['history'];
}

export interface TrackView {
  trackId: string;
  position: number;
  title: string;
  isrc?: string;
  state: TrackState;
  jobId: string | null;
  route: StepName[];
  steps: Partial<Record<StepName, StepView>>;
  error?: StepError & { step: StepName };
}

export interface ReleaseView {
  releaseId: string;
  title: string;
  artist: string;
  upc?: string;
  profiles: string[];
  clientReference?: string;
  createdAt: string;
  state: ReleaseState;
  cancelled: boolean;
  progress: number;
  tracks: TrackView[];
  package?: {
    state: 'succeeded' | 'failed';
    outputs?: Record<string, string>;
    summary?: Record<string, unknown>;
    error?: StepError;
    at: string;
  };
}

/** Builds the API's view of a release from its record and the status projections. */
export function buildReleaseView(
  record: ReleaseRecord,
  tracks: Array<TrackStatusDoc | null>,
  releaseStatus: ReleaseStatusDoc | null,
  cancelled: boolean,
  withHistory = false,
): ReleaseView {
  const views: TrackView[] = record.tracks.map((t, i) => {
    const doc = tracks[i];
    const sub = record.submission.tracks[i];
    const steps: Partial<Record<StepName, StepView>> = {};
    for (const [name, s] of Object.entries(doc?.steps ?? {}) as Array<[StepName, StepStatus]>) {
      steps[name] = {
        state: s.state,
        progress: s.progress,
        attempts: s.attempts,
        error: s.error,
        startedAt: s.startedAt,
        endedAt: s.endedAt,
        summary: s.summary,
        history: withHistory ? s.history : undefined,
      };
    }
    return {
      trackId: t.trackId,
      position: t.position,
      title: sub.title,
      isrc: sub.isrc,
      state: doc?.state ?? 'awaiting-upload',
      jobId: doc?.jobId ?? null,
      route: t.route as StepName[],
      steps,
      error: doc?.error,
    };
  });
  const allEnded = views.every((v) => isTerminal(v.state));
  const anyStarted = views.some((v) => v.state !== 'awaiting-upload');
  let state: ReleaseState;
  if (!anyStarted) state = cancelled ? 'cancelled' : 'awaiting-upload';
  else if (!allEnded) state = 'running';
  else if (cancelled && views.every((v) => v.state !== 'succeeded')) state = 'cancelled';
  else if (!releaseStatus) state = 'packaging';
  else if (releaseStatus.state === 'failed') state = 'failed';
  else state = views.every((v) => v.state === 'succeeded') ? 'completed' : 'completed-with-failures';
  const done = views.reduce((n, v) => {
    const steps = v.route.length || 1;
    const finished = v.route.filter((s) => v.steps[s]?.state === 'succeeded').length;
    return n + (isTerminal(v.state) ? 1 : finished / steps);
  }, 0);
  return {
    releaseId: record.releaseId,
    title: record.submission.title,
    artist: record.submission.artist,
    upc: record.submission.upc,
    profiles: record.submission.profiles,
    clientReference: record.submission.clientReference,
    createdAt: record.createdAt,
    state,
    cancelled,
    progress: Math.round((100 * done) / Math.max(1, views.length)),
    tracks: views,
    package: releaseStatus
      ? {
          state: releaseStatus.state,
          outputs: releaseStatus.outputs,
          summary: releaseStatus.summary,
          error: releaseStatus.error,
          at: releaseStatus.at,
        }
      : undefined,
  };
}

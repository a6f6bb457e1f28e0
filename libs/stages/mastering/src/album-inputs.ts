import { StageDeferred, StageError, type StageContext, type TrackOutcome } from '@pressline/pipeline';
import { getJson, Keys, type ObjectInfo } from '@pressline/storage';
import type { AlbumTrackFigures } from './chain/plan';

/** The fields of the analysis artifact (pressline.analysis.v1) album mode reads. */
interface AnalysisDoc {
  format?: { channels?: number };
  loudness?: { integratedLufs: number | null; truePeakDbtp: number | null };
}

export interface AlbumFigures {
  /** Loudness and true peak of every track taking part, from its analysis artifact. */
  readonly tracks: readonly AlbumTrackFigures[];
  /** Tracks left out, with why (failed, silent). */
  readonly excluded: readonly { readonly trackId: string; readonly reason: string }[];
}

/** Dual mono is delivered for a mono track: its BS.1770 loudness rises by 10 log10(2) dB. */
const DUAL_MONO_OFFSET_DB = 10 * Math.log10(2);

function newest(objects: ObjectInfo[]): ObjectInfo | null {
  let best: ObjectInfo | null = null;
  for (const o of objects) if (!best || o.lastModified > best.lastModified) best = o;
  return best;
}

/**
 * Album mode in the pipeline: every track is a separate step, so the gain is planned from the
 * analysis artifacts of all tracks of the release (integrated loudness and true peak of each
 * canonical copy, mono corrected for dual-mono delivery). Tracks whose run failed after their last
 * analysis are left out; until every other track has an analysis the step is deferred
 * (StageDeferred: the runtime re-queues it). Every track computes the same figures, so they all
 * plan the same album gain.
 */
export async function readAlbumFigures(ctx: StageContext): Promise<AlbumFigures> {
  const release = await ctx.release();
  const { tenantId, releaseId, trackId } = ctx.request;
  const noAnalysis = release.tracks.filter((t) => !t.route.includes('analysis'));
  if (noAnalysis.length > 0) {
    throw new StageError(
      'processing-failed',
      `album mode needs the analysis step on every track; ${noAnalysis.map((t) => t.trackId).join(', ')} skip it`,
    );
  }
  const tracks: AlbumTrackFigures[] = [];
  const excluded: { trackId: string; reason: string }[] = [];
  const waiting: string[] = [];
  for (const t of release.tracks) {
    const listed = await ctx.store.list(`${Keys.track(tenantId, releaseId, t.trackId)}analysis/`);
    const latest = newest(listed.filter((o) => o.key.endsWith('/analysis.json')));
    if (t.trackId !== trackId) {
      const outcome = await getJson<TrackOutcome>(
        ctx.store,
        Keys.trackOutcome(tenantId, releaseId, t.trackId),
      );
      const ended = outcome && (outcome.state === 'failed' || outcome.state === 'cancelled');
      if (ended && (!latest || new Date(outcome.at) >= latest.lastModified)) {
        excluded.push({
          trackId: t.trackId,
          reason: `${outcome.state}${outcome.error ? ` (${outcome.error.code})` : ''}`,
        });
        continue;
      }
    }
    if (!latest) {
      waiting.push(t.trackId);
      continue;
    }
    const doc = await getJson<AnalysisDoc>(ctx.store, latest.key);
    const lufs = doc?.loudness?.integratedLufs ?? null;
    const tp = doc?.loudness?.truePeakDbtp ?? null;
    if (lufs === null || tp === null) {
      excluded.push({ trackId: t.trackId, reason: 'no measurable loudness (silent or shorter than 0.4 s)' });
      continue;
    }
    const mono = doc?.format?.channels === 1 ? DUAL_MONO_OFFSET_DB : 0;
    tracks.push({ id: t.trackId, integratedLufs: lufs + mono, truePeakDbtp: tp });
  }
  if (waiting.length > 0) {
    throw new StageDeferred(
      `album mode: waiting for the analysis of ${waiting.length} of ${release.tracks.length} tracks (${waiting.join(', ')})`,
    );
  }
  return { tracks, excluded };
}

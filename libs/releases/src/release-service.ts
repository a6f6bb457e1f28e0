import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import {
  describeIssues,
  newId,
  ReleaseRecord,
  ReleaseSubmission,
  ROUTE_STEMS,
  ROUTE_STEREO_MASTER,
  type StepName,
} from '@pressline/contracts';
import type { Emitter } from '@pressline/pipeline';
import {
  getJson,
  Keys,
  putJson,
  tenantOfKey,
  updateJson,
  type ArtifactStore,
  type ObjectInfo,
} from '@pressline/storage';
import { signDownloadToken } from './download-links';
import { ConflictError, ReleaseNotFoundError, ValidationFailedError } from './errors';
import { buildReleaseView, type ReleaseView } from './release-view';
import { newTrackStatus, type ReleaseStatusDoc, type TrackStatusDoc } from './track-status';

export interface LinkSettings {
  /** Secret of the gateway's own signed links (local store). */
  readonly secret: string;
  readonly ttlSeconds: number;
  /** Base URL of the gateway as clients reach it, e.g. http://127.0.0.1:8080 (known once it listens). */
  publicUrl?: string;
}

export interface UploadTarget {
  readonly trackId: string;
  readonly index: number;
  readonly name: string;
  readonly fileName: string;
  /** PUT the bytes here (presigned S3 URL), when the store can sign one. */
  readonly uploadUrl: string | null;
  /** Or PUT them through the gateway (streamed to the store). */
  readonly apiPath: string;
}

export interface CreatedRelease {
  readonly release: ReleaseView;
  readonly uploads: UploadTarget[];
}

export interface ArtifactView {
  readonly key: string;
  /** The key relative to the release: the layout a client sees. */
  readonly path: string;
  readonly size: number;
  readonly url: string | null;
}

const INTERNAL = /(^|\/)(status|outcome|result|release|cancelled)\.json$/;

/**
 * The front door of the line, shared by the HTTP gateway and the CLI: submit, upload, start,
 * read status, list artifacts, retry, cancel. Every read and write is scoped to one tenant: keys
 * start with the tenant, so another tenant's release is simply not found.
 */
export class ReleaseService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly emitter: Emitter,
    private readonly links: LinkSettings,
    private readonly logger: Logger,
  ) {}

  async create(tenantId: string, input: unknown): Promise<CreatedRelease> {
    const parsed = ReleaseSubmission.safeParse(input);
    if (!parsed.success) throw new ValidationFailedError(describeIssues(parsed.error));
    const submission = parsed.data;
    const releaseId = newId('rel');
    const record: ReleaseRecord = {
      schema: 'pressline.release.v1',
      tenantId,
      releaseId,
      createdAt: new Date().toISOString(),
      submission,
      tracks: submission.tracks.map((t, i) => {
        const trackId = newId('trk');
        const files = t.stems
          ? t.stems.map((s) => ({ name: s.name, fileName: s.fileName }))
          : [{ name: 'master', fileName: t.fileName! }];
        return {
          trackId,
          position: i + 1,
          route: [...((t.route as StepName[] | undefined) ?? (t.stems ? ROUTE_STEMS : ROUTE_STEREO_MASTER))],
          sources: files.map((f, j) => ({
            ...f,
            key: Keys.upload(tenantId, releaseId, trackId, j, f.fileName),
          })),
        };
      }),
    };
    await putJson(this.store, Keys.releaseRecord(tenantId, releaseId), record, { ifNoneMatch: '*' });
    await Promise.all(
      record.tracks.map((t) =>
        putJson(
          this.store,
          Keys.trackStatus(tenantId, releaseId, t.trackId),
          newTrackStatus({ tenantId, releaseId, trackId: t.trackId, route: t.route as StepName[] }),
        ),
      ),
    );
    const uploads: UploadTarget[] = [];
    for (const t of record.tracks) {
      for (const [index, s] of t.sources.entries()) {
        uploads.push({
          trackId: t.trackId,
          index,
          name: s.name,
          fileName: s.fileName,
          uploadUrl: await this.store.presignPut(s.key, this.links.ttlSeconds),
          apiPath: `/v1/releases/${releaseId}/tracks/${t.trackId}/sources/${index}`,
        });
      }
    }
    this.logger.info({ tenantId, releaseId, tracks: record.tracks.length }, 'release created');
    return { release: await this.get(tenantId, releaseId), uploads };
  }

  private async record(tenantId: string, releaseId: string): Promise<ReleaseRecord> {
    if (!/^rel_[0-9a-z]{26}$/.test(releaseId)) throw new ReleaseNotFoundError(releaseId);
    const raw = await getJson<unknown>(this.store, Keys.releaseRecord(tenantId, releaseId));
    if (!raw) throw new ReleaseNotFoundError(releaseId);
    return ReleaseRecord.parse(raw);
  }

  /** Streams one source file of a track into the store. */
  async putSource(
    tenantId: string,
    releaseId: string,
    trackId: string,
    index: number,
    body: Readable,
  ): Promise<{ size: number; sha256: string }> {
    const record = await this.record(tenantId, releaseId);
    const track = record.tracks.find((t) => t.trackId === trackId);
    const source = track?.sources[index];
    if (!track || !source) throw new ReleaseNotFoundError(`${releaseId}/${trackId}/${index}`);
    const put = await this.store.put(source.key, body, { contentType: 'application/octet-stream' });
    return { size: put.size, sha256: put.sha256 };
  }

  /** Starts every track that has not started: one job per track, at the first step of its route. */
  async start(tenantId: string, releaseId: string): Promise<ReleaseView> {
    const record = await this.record(tenantId, releaseId);
    if (await this.store.head(Keys.cancelled(tenantId, releaseId)))
      throw new ConflictError('the release is cancelled');
    for (const t of record.tracks) {
      const jobId = newId('job');
      let started = false;
      await updateJson<TrackStatusDoc>(
        this.store,
        Keys.trackStatus(tenantId, releaseId, t.trackId),
        (doc) => {
          const current =
            doc ?? newTrackStatus({ tenantId, releaseId, trackId: t.trackId, route: t.route as StepName[] });
          if (current.jobId !== null) return null;
          started = true;
          return { ...current, jobId, state: 'queued', updatedAt: new Date().toISOString() };
        },
      );
      if (started) await this.startJob(record, t.trackId, jobId);
    }
    return this.get(tenantId, releaseId);
  }

  private async startJob(record: ReleaseRecord, trackId: string, jobId: string): Promise<void> {
    const track = record.tracks.find((t) => t.trackId === trackId)!;
    const inputs: Record<string, string> = {};
    track.sources.forEach((s, i) => (inputs[`source.${i}`] = s.key));
    await this.emitter.stepRequest({
      tenantId: record.tenantId,
      releaseId: record.releaseId,
      trackId,
      jobId,
      step: track.route[0] as StepName,
      route: track.route as StepName[],
      inputs,
      params: { profiles: record.submission.profiles, mastering: record.submission.mastering },
    });
  }

  async get(tenantId: string, releaseId: string, options: { history?: boolean } = {}): Promise<ReleaseView> {
    const record = await this.record(tenantId, releaseId);
    const [tracks, releaseStatus, cancelled] = await Promise.all([
      Promise.all(
        record.tracks.map((t) =>
          getJson<TrackStatusDoc>(this.store, Keys.trackStatus(tenantId, releaseId, t.trackId)),
        ),
      ),
      getJson<ReleaseStatusDoc>(this.store, Keys.releaseStatus(tenantId, releaseId)),
      this.store.head(Keys.cancelled(tenantId, releaseId)),
    ]);
    return buildReleaseView(record, tracks, releaseStatus, cancelled !== null, options.history);
  }

  async list(
    tenantId: string,
    limit = 100,
  ): Promise<Array<Pick<ReleaseView, 'releaseId' | 'title' | 'artist' | 'createdAt'>>> {
    const records = (await this.store.list(Keys.releasesOf(tenantId))).filter((o) =>
      o.key.endsWith('/release.json'),
    );
    const newest = records.sort((a, b) => (a.key < b.key ? 1 : -1)).slice(0, limit);
    const out = [];
    for (const o of newest) {
      const r = await getJson<ReleaseRecord>(this.store, o.key);
      if (r)
        out.push({
          releaseId: r.releaseId,
          title: r.submission.title,
          artist: r.submission.artist,
          createdAt: r.createdAt,
        });
    }
    return out;
  }

  /** Every artifact of the release (the package first), each with a time-limited download link. */
  async artifacts(tenantId: string, releaseId: string): Promise<ArtifactView[]> {
    await this.record(tenantId, releaseId);
    const prefix = Keys.release(tenantId, releaseId);
    const objects = (await this.store.list(prefix)).filter(
      (o) => !INTERNAL.test(o.key) || o.key.startsWith(Keys.package(tenantId, releaseId)),
    );
    const packageFirst = (o: ObjectInfo): number =>
      o.key.startsWith(Keys.package(tenantId, releaseId)) ? 0 : 1;
    objects.sort((a, b) => packageFirst(a) - packageFirst(b) || (a.key < b.key ? -1 : 1));
    return Promise.all(
      objects.map(async (o) => ({
        key: o.key,
        path: o.key.slice(prefix.length),
        size: o.size,
        url: await this.downloadUrl(tenantId, o.key),
      })),
    );
  }

  async downloadUrl(tenantId: string, key: string): Promise<string | null> {
    if (tenantOfKey(key) !== tenantId) throw new ReleaseNotFoundError(key);
    const name = key.slice(key.lastIndexOf('/') + 1);
    const presigned = await this.store.presignGet(key, this.links.ttlSeconds, name);
    if (presigned) return presigned;
    const token = signDownloadToken(this.links.secret, key, this.links.ttlSeconds, name);
    return `${this.links.publicUrl ?? ''}/v1/downloads/${token}`;
  }

  /** Runs a failed (or cancelled) track again as a new job; steps that already succeeded are not redone. */
  async retry(tenantId: string, releaseId: string, trackId: string): Promise<ReleaseView> {
    const record = await this.record(tenantId, releaseId);
    if (!record.tracks.some((t) => t.trackId === trackId))
      throw new ReleaseNotFoundError(`${releaseId}/${trackId}`);
    if (await this.store.head(Keys.cancelled(tenantId, releaseId)))
      throw new ConflictError('the release is cancelled');
    const jobId = newId('job');
    let retried = false;
    await updateJson<TrackStatusDoc>(this.store, Keys.trackStatus(tenantId, releaseId, trackId), (doc) => {
      if (!doc || (doc.state !== 'failed' && doc.state !== 'cancelled')) return null;
      retried = true;
      return {
        ...doc,
        jobId,
        state: 'queued',
        steps: {},
        error: undefined,
        updatedAt: new Date().toISOString(),
      };
    });
    if (!retried) throw new ConflictError('only a failed or cancelled track can be retried');
    await this.store.delete(Keys.trackOutcome(tenantId, releaseId, trackId));
    await this.store.delete(Keys.releaseStatus(tenantId, releaseId));
    await this.startJob(record, trackId, jobId);
    return this.get(tenantId, releaseId);
  }

  /** Cancels the release: steps not yet started are skipped; a step already running finishes. */
  async cancel(tenantId: string, releaseId: string): Promise<ReleaseView> {
    await this.record(tenantId, releaseId);
    await putJson(this.store, Keys.cancelled(tenantId, releaseId), { cancelledAt: new Date().toISOString() });
    return this.get(tenantId, releaseId);
  }
}

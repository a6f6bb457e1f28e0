import type { Logger } from 'pino';
import { digest, parseMessage, ReleaseRecord, Topics, type ReleaseRequestedV1 } from '@pressline/contracts';
import { getJson, Keys, putJson } from '@pressline/storage';
import { backoffBeforeRetry, inAttemptScope } from './attempt';
import type { DeliveryContext, ReceivedMessage, Subscription } from './bus';
import { Emitter } from './emitter';
import type { ReleaseHandlerDefinition, ReleaseResult, TrackOutcome } from './stage';
import { defaultWorkerName, toStageError, type RuntimeDependencies } from './stage-worker';

interface StoredReleaseResult extends ReleaseResult {
  readonly schema: 'pressline.release-result.v1';
  readonly hash: string;
  readonly finishedAt: string;
}

/**
 * The fan-in of a release. Every track that ends (succeeded, failed or cancelled) sends a
 * release-requested message keyed by release id, so a release's messages are handled one after
 * the other; the track outcome is written before the message is sent, so the message of the last
 * track to end always sees every outcome and builds the deliverable. The result is stored under
 * a key derived from the outcomes: a redelivery, or a second trigger after completion, finds it.
 */
export class ReleaseWorker {
  private readonly emitter: Emitter;
  private readonly log: Logger;
  private subscription: Subscription | null = null;

  constructor(
    private readonly deps: RuntimeDependencies,
    private readonly handler: ReleaseHandlerDefinition,
  ) {
    this.emitter = new Emitter(deps.bus, deps.workerName ?? defaultWorkerName('pressline-packaging'));
    this.log = deps.logger.child({ step: 'release' });
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe({
      groupId: 'pressline.packaging.release',
      topics: [Topics.releaseRequested],
      concurrency: this.deps.settings.concurrency,
      handler: (m, d) => this.handle(m, d),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
  }

  async handle(message: ReceivedMessage, delivery: DeliveryContext): Promise<void> {
    let request: ReleaseRequestedV1;
    try {
      request = parseMessage(message.value, ['pressline.release.requested.v1']);
    } catch (e) {
      await this.emitter.deadLetter('release', message, 'invalid-message', (e as Error).message);
      return;
    }
    const { tenantId, releaseId } = request;
    const log = this.log.child({ releaseId });
    const store = this.deps.store;
    const raw = await getJson(store, Keys.releaseRecord(tenantId, releaseId));
    const parsed = ReleaseRecord.safeParse(raw);
    if (!parsed.success) {
      await this.emitter.deadLetter(
        'release',
        message,
        'invalid-message',
        `release ${releaseId} has no valid record`,
      );
      return;
    }
    const release = parsed.data;
    const outcomes = await Promise.all(
      release.tracks.map((t) =>
        getJson<TrackOutcome>(store, Keys.trackOutcome(tenantId, releaseId, t.trackId)),
      ),
    );
    const waiting = outcomes.filter((o) => o === null).length;
    if (waiting > 0) {
      log.debug({ waiting }, 'release not complete yet');
      return;
    }
    const ended = outcomes as TrackOutcome[];
    const hash = digest({
      version: this.handler.version,
      outcomes: ended.map((o) => [o.trackId, o.jobId, o.state, o.artifacts ?? null]),
    });
    const jobId = `pkg_${hash}`;
    const markerKey = `${Keys.release(tenantId, releaseId)}release-results/${hash}/result.json`;
    let stored = await getJson<StoredReleaseResult>(store, markerKey);
    if (!stored) {
      const result = await this.runWithRetries(
        release,
        ended,
        delivery,
        `${Keys.release(tenantId, releaseId)}release-results/${hash}/`,
        log,
        jobId,
      );
      if (!result) return;
      stored = {
        schema: 'pressline.release-result.v1',
        hash,
        finishedAt: new Date().toISOString(),
        ...result,
      };
      await putJson(store, markerKey, stored);
    }
    const succeeded = ended.filter((o) => o.state === 'succeeded').length;
    await this.emitter.status({
      tenantId,
      releaseId,
      jobId,
      step: 'release',
      state: succeeded > 0 ? 'succeeded' : 'failed',
      outputs: stored.outputs,
      summary: {
        ...stored.summary,
        tracks: {
          total: ended.length,
          succeeded,
          failed: ended.filter((o) => o.state === 'failed').length,
          cancelled: ended.filter((o) => o.state === 'cancelled').length,
        },
      },
      error:
        succeeded > 0
          ? undefined
          : { code: 'processing-failed', reason: 'no track of the release succeeded', retryable: false },
    });
    log.info({ succeeded, total: ended.length }, 'release packaged');
  }

  private async runWithRetries(
    release: ReleaseRecord,
    outcomes: TrackOutcome[],
    delivery: DeliveryContext,
    outputPrefix: string,
    log: Logger,
    jobId: string,
  ): Promise<ReleaseResult | null> {
    const { maxAttempts, retryBackoffMs } = this.deps.settings;
    for (let attempt = 1; ; attempt++) {
      try {
        return await inAttemptScope(
          'release',
          delivery,
          this.deps.settings.heartbeatIntervalMs ?? 3000,
          (workDir) =>
            this.handler.run({
              release,
              outcomes,
              store: this.deps.store,
              outputPrefix,
              workDir,
              logger: log,
            }),
        );
      } catch (e) {
        const error = toStageError(e);
        log.warn(
          { attempt, code: error.code, reason: error.reason, err: e },
          'release packaging attempt failed',
        );
        if (!error.retryable || attempt >= maxAttempts) {
          await this.emitter.status({
            tenantId: release.tenantId,
            releaseId: release.releaseId,
            jobId,
            step: 'release',
            state: 'failed',
            attempt,
            error: { code: error.code, reason: error.reason, retryable: false },
          });
          return null;
        }
      }
      await backoffBeforeRetry(delivery, retryBackoffMs, attempt);
    }
  }
}

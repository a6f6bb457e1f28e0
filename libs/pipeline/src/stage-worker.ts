import { hostname } from 'node:os';
import type { Logger } from 'pino';
import {
  digest,
  MessageParseError,
  nextStep,
  parseMessage,
  ReleaseRecord,
  Topics,
  type ErrorCode,
  type StepRequestV1,
} from '@pressline/contracts';
import {
  getJson,
  Keys,
  PreconditionFailedError,
  putJson,
  StoreUnavailableError,
  type ArtifactStore,
} from '@pressline/storage';
import { inAttemptScope, backoffBeforeRetry } from './attempt';
import { sleep, type DeliveryContext, type MessageBus, type ReceivedMessage, type Subscription } from './bus';
import type { CpuPool } from './cpu-pool';
import { Emitter } from './emitter';
import {
  StageDeferred,
  StageError,
  type StageContext,
  type StageDefinition,
  type StageResult,
  type TrackOutcome,
} from './stage';

export interface RuntimeSettings {
  /** Partitions (tracks) processed in parallel by this worker. */
  readonly concurrency: number;
  /** Attempts of a step before its message goes to the dead-letter topic. */
  readonly maxAttempts: number;
  /** First retry pause; doubles each attempt. */
  readonly retryBackoffMs: number;
  readonly heartbeatIntervalMs?: number;
  /**
   * Chaos knob for resilience tests and drills: hold each job of these steps this long (heartbeating)
   * before running it, so that a worker can be killed mid-job. Off unless set.
   */
  readonly chaosDelay?: { readonly steps: readonly string[]; readonly ms: number };
  /** How long in total a step may keep deferring (StageDeferred) before its track fails. Default 1 hour. */
  readonly maxDeferralMs?: number;
}

export interface RuntimeDependencies {
  readonly bus: MessageBus;
  readonly store: ArtifactStore;
  readonly cpu: CpuPool;
  readonly logger: Logger;
  readonly settings: RuntimeSettings;
  /** Identifies this process in status events. */
  readonly workerName?: string;
}

/** What result.json holds: the proof that a step is done, and what it produced. */
export interface StoredStepResult {
  readonly schema: 'pressline.step-result.v1';
  readonly step: string;
  readonly stageVersion: string;
  readonly hash: string;
  readonly outputs: Record<string, string>;
  readonly summary?: Record<string, unknown>;
  readonly jobId: string;
  readonly finishedAt: string;
}

export function defaultWorkerName(service: string): string {
  return `${service}@${hostname()}:${process.pid}`;
}

/** Turns anything thrown into a StageError: unknown errors are retryable "internal" ones. */
export function toStageError(e: unknown): StageError {
  if (e instanceof StageError) return e;
  if (e instanceof StoreUnavailableError)
    return new StageError('storage-unavailable', e.message, { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new StageError('internal', message, { retryable: true, cause: e });
}

/**
 * The stage runtime: binds one stage to a transport. For each request it checks cancellation,
 * finds earlier results (idempotency: outputs live under a key derived from the inputs), runs the
 * stage with bounded retries and backoff, dead-letters what it cannot process, records the step's
 * outcome and routes the track to its next step.
 */
export class StageWorker {
  private readonly emitter: Emitter;
  private readonly log: Logger;
  private subscription: Subscription | null = null;

  constructor(
    private readonly deps: RuntimeDependencies,
    private readonly stage: StageDefinition,
  ) {
    const name = deps.workerName ?? defaultWorkerName(`pressline-${stage.step}`);
    this.emitter = new Emitter(deps.bus, name);
    this.log = deps.logger.child({ step: stage.step });
  }

  get groupId(): string {
    return `pressline.${this.stage.step}`;
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe({
      groupId: this.groupId,
      topics: [Topics.stepRequested(this.stage.step)],
      concurrency: this.deps.settings.concurrency,
      handler: (m, d) => this.handle(m, d),
    });
    this.log.info({ concurrency: this.deps.settings.concurrency }, 'stage worker started');
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
  }

  /** Processes one delivered message; resolves when it may be committed. */
  async handle(message: ReceivedMessage, delivery: DeliveryContext): Promise<void> {
    let request: StepRequestV1;
    try {
      request = parseMessage(message.value, ['pressline.step.requested.v1']);
      if (request.step !== this.stage.step) {
        throw new MessageParseError(`message for step ${request.step} arrived at ${this.stage.step}`, []);
      }
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.log.warn(
        { topic: message.topic, offset: message.offset, reason },
        'unparseable message sent to the dead-letter topic',
      );
      await this.emitter.deadLetter(this.stage.step, message, 'invalid-message', reason);
      return;
    }
    const { tenantId, releaseId, trackId, jobId } = request;
    const log = this.log.child({ jobId, trackId, releaseId });
    const store = this.deps.store;

    if (await store.head(Keys.cancelled(tenantId, releaseId))) {
      log.info('release cancelled: step skipped');
      await this.endTrack(request, 'cancelled', { code: 'cancelled', reason: 'the release was cancelled' });
      return;
    }

    const hash = digest({
      step: this.stage.step,
      version: this.stage.version,
      inputs: request.inputs,
      params: this.stage.paramsFor(request),
    });
    const outputPrefix = Keys.stepOutput(tenantId, releaseId, trackId, this.stage.step, hash);
    const resultKey = `${outputPrefix}result.json`;
    const earlier = await getJson<StoredStepResult>(store, resultKey);
    if (earlier) {
      log.info({ outputPrefix }, 'step already done for these inputs: forwarding its result');
      await this.forward(request, earlier);
      return;
    }

    const result = await this.runWithRetries(request, message, delivery, outputPrefix, log);
    if (!result) return;
    let stored: StoredStepResult = {
      schema: 'pressline.step-result.v1',
      step: this.stage.step,
      stageVersion: this.stage.version,
      hash,
      outputs: result.outputs,
      summary: result.summary,
      jobId,
      finishedAt: new Date().toISOString(),
    };
    try {
      await putJson(store, resultKey, stored, { ifNoneMatch: '*' });
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
      // Another delivery of the same request finished first: its result is the result.
      stored = (await getJson<StoredStepResult>(store, resultKey)) ?? stored;
    }
    await this.forward(request, stored);
  }

  private async runWithRetries(
    request: StepRequestV1,
    message: ReceivedMessage,
    delivery: DeliveryContext,
    outputPrefix: string,
    log: Logger,
  ): Promise<StageResult | null> {
    const { maxAttempts, retryBackoffMs } = this.deps.settings;
    const base = {
      tenantId: request.tenantId,
      releaseId: request.releaseId,
      trackId: request.trackId,
      jobId: request.jobId,
      step: request.step,
    };
    let releaseRecord: ReleaseRecord | null = null;
    for (let attempt = 1; ; attempt++) {
      await this.emitter.status({ ...base, state: 'started', attempt });
      const pending: Promise<unknown>[] = [];
      let lastProgress = { at: 0, percent: -1 };
      let failure: StageError;
      try {
        return await inAttemptScope(
          request.step,
          delivery,
          this.deps.settings.heartbeatIntervalMs ?? 3000,
          async (workDir) => {
            const context: StageContext = {
              request,
              store: this.deps.store,
              outputPrefix,
              workDir,
              logger: log.child({ attempt }),
              cpu: this.deps.cpu,
              progress: (percent: number) => {
                const now = Date.now();
                const p = Math.max(0, Math.min(100, Math.round(percent)));
                if (
                  p - lastProgress.percent >= 10 ||
                  (now - lastProgress.at >= 1000 && p !== lastProgress.percent)
                ) {
                  lastProgress = { at: now, percent: p };
                  pending.push(
                    this.emitter
                      .status({ ...base, state: 'progress', progress: p, attempt })
                      .catch(() => undefined),
                  );
                }
              },
              release: async () => {
                releaseRecord ??= ReleaseRecord.parse(
                  await getJson(this.deps.store, Keys.releaseRecord(request.tenantId, request.releaseId)),
                );
                return releaseRecord;
              },
            };
            const chaos = this.deps.settings.chaosDelay;
            if (chaos && chaos.steps.includes(request.step)) {
              log.warn({ ms: chaos.ms }, 'chaos delay before the job');
              await sleep(chaos.ms);
            }
            const result = await this.stage.run(context);
            await Promise.all(pending);
            log.info({ attempt, outputs: Object.keys(result.outputs) }, 'step succeeded');
            return result;
          },
        );
      } catch (e) {
        await Promise.all(pending);
        if (e instanceof StageDeferred) {
          await this.defer(request, e, log);
          return null;
        }
        failure = toStageError(e);
      }
      log.warn(
        {
          attempt,
          code: failure.code,
          reason: failure.reason,
          retryable: failure.retryable,
          err: failure.cause,
        },
        'step attempt failed',
      );
      if (!failure.retryable) {
        await this.fail(request, failure.code, failure.reason, attempt);
        return null;
      }
      if (attempt >= maxAttempts) {
        const reason = `${failure.code}: ${failure.reason} (gave up after ${attempt} attempts)`;
        await this.emitter.deadLetter(request.step, message, 'retries-exhausted', reason);
        await this.fail(request, 'retries-exhausted', reason, attempt);
        return null;
      }
      await this.emitter.status({
        ...base,
        state: 'retried',
        attempt,
        error: { code: failure.code, reason: failure.reason, retryable: true },
      });
      await backoffBeforeRetry(delivery, retryBackoffMs, attempt);
    }
  }

  /**
   * Re-queues the request after the stage's delay (the message itself is committed); the track
   * fails once the deferrals add up to more than maxDeferralMs.
   */
  private async defer(request: StepRequestV1, deferred: StageDeferred, log: Logger): Promise<void> {
    const count = (request.deferrals ?? 0) + 1;
    const limit = this.deps.settings.maxDeferralMs ?? 3_600_000;
    if (count * deferred.delayMs > limit) {
      await this.fail(request, 'processing-failed', `gave up waiting: ${deferred.reason}`, 1);
      return;
    }
    log.info({ reason: deferred.reason, deferrals: count }, 'step deferred');
    await sleep(deferred.delayMs);
    const { schema: _s, messageId: _m, requestedAt: _r, ...rest } = request;
    await this.emitter.stepRequest({ ...rest, deferrals: count });
  }

  private async fail(
    request: StepRequestV1,
    code: ErrorCode,
    reason: string,
    attempt: number,
  ): Promise<void> {
    await this.endTrack(request, 'failed', { code, reason }, attempt);
  }

  private async endTrack(
    request: StepRequestV1,
    state: 'failed' | 'cancelled',
    error: { code: ErrorCode; reason: string },
    attempt?: number,
  ): Promise<void> {
    const { tenantId, releaseId, trackId, jobId, step } = request;
    const outcome: TrackOutcome = {
      schema: 'pressline.track-outcome.v1',
      trackId,
      jobId,
      state,
      step,
      error,
      at: new Date().toISOString(),
    };
    await writeOutcome(this.deps.store, tenantId, releaseId, outcome);
    await this.emitter.status({
      tenantId,
      releaseId,
      trackId,
      jobId,
      step,
      state,
      attempt,
      error: { ...error, retryable: false },
      trackEnded: true,
    });
    await this.emitter.releaseRequested({ tenantId, releaseId, trackId, jobId });
  }

  /** Announces the step's success and hands the track to its next step (or ends its route). */
  private async forward(request: StepRequestV1, stored: StoredStepResult): Promise<void> {
    const { tenantId, releaseId, trackId, jobId, step, route } = request;
    const next = nextStep(route, step);
    await this.emitter.status({
      tenantId,
      releaseId,
      trackId,
      jobId,
      step,
      state: 'succeeded',
      outputs: stored.outputs,
      summary: stored.summary,
      trackEnded: next === null,
    });
    const inputs = { ...request.inputs, ...stored.outputs };
    if (next) {
      await this.emitter.stepRequest({
        tenantId,
        releaseId,
        trackId,
        jobId,
        step: next,
        route,
        inputs,
        params: request.params,
      });
      return;
    }
    const outcome: TrackOutcome = {
      schema: 'pressline.track-outcome.v1',
      trackId,
      jobId,
      state: 'succeeded',
      step,
      artifacts: inputs,
      at: new Date().toISOString(),
    };
    await writeOutcome(this.deps.store, tenantId, releaseId, outcome);
    await this.emitter.releaseRequested({ tenantId, releaseId, trackId, jobId });
  }
}

/**
 * Records how a track's job ended. A late redelivery of an older job (job ids sort by time) never
 * overwrites the outcome of a newer one.
 */
async function writeOutcome(
  store: ArtifactStore,
  tenantId: string,
  releaseId: string,
  outcome: TrackOutcome,
): Promise<void> {
  const key = Keys.trackOutcome(tenantId, releaseId, outcome.trackId);
  const current = await getJson<TrackOutcome>(store, key);
  if (current && current.jobId > outcome.jobId) return;
  await putJson(store, key, outcome);
}

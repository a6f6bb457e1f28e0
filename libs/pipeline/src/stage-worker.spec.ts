import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Headers,
  newId,
  Topics,
  type ReleaseRecord,
  type StatusEventV1,
  type StepName,
} from '@pressline/contracts';
import { silentLogger } from '@pressline/logging';
import { getJson, Keys, LocalFolderStore, putJson } from '@pressline/storage';
import { InlinePool } from './cpu-pool';
import { Emitter } from './emitter';
import { MemoryBus } from './memory-bus';
import { ReleaseWorker } from './release-worker';
import { StageDeferred, StageError, type StageDefinition, type TrackOutcome } from './stage';
import { StageWorker, type RuntimeDependencies } from './stage-worker';

const route: StepName[] = ['ingest', 'analysis', 'packaging'];

function toyStage(
  step: StepName,
  behaviour: (attempt: number) => void = () => undefined,
): StageDefinition & { runs: number } {
  const stage = {
    step,
    version: '1',
    runs: 0,
    paramsFor: () => ({}),
    async run(ctx: Parameters<StageDefinition['run']>[0]) {
      stage.runs++;
      behaviour(stage.runs);
      const key = `${ctx.outputPrefix}${step}.txt`;
      await ctx.store.put(key, `${step} of ${ctx.request.trackId}`);
      return { outputs: { [step]: key }, summary: { step } };
    },
  };
  return stage;
}

async function setup(stages: StageDefinition[], maxAttempts = 3, maxDeferralMs?: number) {
  const store = new LocalFolderStore(await mkdtemp(join(tmpdir(), 'pipeline-')));
  await store.ensureReady();
  const bus = new MemoryBus({ partitions: 3, drainTimeoutMs: 5000 });
  const deps: RuntimeDependencies = {
    bus,
    store,
    cpu: new InlinePool(),
    logger: silentLogger(),
    settings: { concurrency: 2, maxAttempts, retryBackoffMs: 1, maxDeferralMs },
  };
  const workers = stages.map((s) => new StageWorker(deps, s));
  const packaged: string[] = [];
  const release = new ReleaseWorker(deps, {
    version: '1',
    async run(ctx) {
      packaged.push(ctx.outcomes.map((o) => `${o.trackId}:${o.state}`).join(','));
      const key = `${Keys.package(ctx.release.tenantId, ctx.release.releaseId)}manifest.json`;
      await putJson(ctx.store, key, { tracks: ctx.outcomes.length });
      return { outputs: { manifest: key } };
    },
  });
  const events: StatusEventV1[] = [];
  await bus.subscribe({
    groupId: 'observer',
    topics: [Topics.status],
    concurrency: 1,
    handler: async (m) => {
      events.push(JSON.parse(m.value!.toString()) as StatusEventV1);
    },
  });
  for (const w of workers) await w.start();
  await release.start();
  const emitter = new Emitter(bus, 'test');

  async function submit(tracks: number): Promise<ReleaseRecord> {
    const releaseId = newId('rel');
    const record: ReleaseRecord = {
      schema: 'pressline.release.v1',
      tenantId: 'acme',
      releaseId,
      createdAt: new Date().toISOString(),
      submission: {
        title: 'R',
        artist: 'A',
        profiles: ['spotify'],
        tracks: Array.from({ length: tracks }, (_, i) => ({ title: `T${i}`, fileName: `${i}.wav` })),
      },
      tracks: Array.from({ length: tracks }, (_, i) => ({
        trackId: newId('trk'),
        position: i + 1,
        route,
        sources: [],
      })),
    };
    await putJson(store, Keys.releaseRecord('acme', releaseId), record);
    for (const t of record.tracks) {
      await emitter.stepRequest({
        tenantId: 'acme',
        releaseId,
        trackId: t.trackId,
        jobId: newId('job'),
        step: route[0],
        route,
        inputs: {},
        params: {},
      });
    }
    return record;
  }

  async function until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function teardown(): Promise<void> {
    for (const w of workers) await w.stop();
    await release.stop();
    await bus.close();
  }

  return { store, bus, events, packaged, submit, until, teardown, emitter };
}

const released = (events: StatusEventV1[]) => events.filter((e) => e.step === 'release');

describe('StageWorker on the in-memory transport', () => {
  it('takes every track of a release along its route and packages the release once', async () => {
    const stages = route.map((s) => toyStage(s));
    const line = await setup(stages);
    const record = await line.submit(3);
    await line.until(() => released(line.events).length > 0, 'the release event');
    expect(stages.map((s) => s.runs)).toEqual([3, 3, 3]);
    for (const t of record.tracks) {
      const outcome = await getJson<TrackOutcome>(
        line.store,
        Keys.trackOutcome('acme', record.releaseId, t.trackId),
      );
      expect(outcome?.state).toBe('succeeded');
      expect(Object.keys(outcome?.artifacts ?? {}).sort()).toEqual(['analysis', 'ingest', 'packaging']);
    }
    expect(line.packaged).toHaveLength(1);
    expect(released(line.events)[0].state).toBe('succeeded');
    await line.teardown();
  });

  it('does not redo a step when its request is delivered again', async () => {
    const stages = route.map((s) => toyStage(s));
    const line = await setup(stages);
    const record = await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const request = line.bus.peek(Topics.stepRequested('analysis'))[0];
    await line.bus.publish(Topics.stepRequested('analysis'), [
      { key: request.key!, value: request.value!, headers: request.headers },
    ]);
    await line.until(
      () => line.events.filter((e) => e.step === 'analysis' && e.state === 'succeeded').length >= 2,
      'the redelivered outcome',
    );
    expect(stages[1].runs).toBe(1);
    const succeeded = line.events.filter((e) => e.step === 'analysis' && e.state === 'succeeded');
    expect(new Set(succeeded.map((e) => e.eventId)).size).toBe(1);
    const outputs = await line.store.list(Keys.track('acme', record.releaseId, record.tracks[0].trackId));
    expect(outputs.filter((o) => o.key.endsWith('/analysis.txt'))).toHaveLength(1);
    await line.teardown();
  });

  it('retries a transient failure and then succeeds', async () => {
    const flaky = toyStage('analysis', (n) => {
      if (n < 3) throw new Error('connection reset');
    });
    const line = await setup([toyStage('ingest'), flaky, toyStage('packaging')]);
    await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const analysis = line.events.filter((e) => e.step === 'analysis');
    expect(analysis.filter((e) => e.state === 'retried')).toHaveLength(2);
    expect(analysis.filter((e) => e.state === 'succeeded')).toHaveLength(1);
    await line.teardown();
  });

  it('dead-letters a request after its last attempt and fails only that track', async () => {
    let doomed: string | null = null;
    const broken: StageDefinition = {
      ...toyStage('analysis'),
      async run(ctx) {
        doomed ??= ctx.request.trackId;
        if (ctx.request.trackId === doomed) throw new Error('disk on fire');
        return toyStage('analysis').run(ctx);
      },
    };
    const line = await setup([toyStage('ingest'), broken, toyStage('packaging')], 2);
    const record = await line.submit(2);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const dead = line.bus.peek(Topics.deadLetter('analysis'));
    expect(dead).toHaveLength(1);
    expect(dead[0].headers[Headers.deadLetterCode]).toBe('retries-exhausted');
    expect(dead[0].headers[Headers.deadLetterReason]).toMatch(/disk on fire/);
    expect(JSON.parse(dead[0].value!.toString()).step).toBe('analysis');
    const outcomes = await Promise.all(
      record.tracks.map((t) =>
        getJson<TrackOutcome>(line.store, Keys.trackOutcome('acme', record.releaseId, t.trackId)),
      ),
    );
    expect(outcomes.map((o) => o?.state).sort()).toEqual(['failed', 'succeeded']);
    expect(released(line.events)[0].summary?.tracks).toEqual({
      total: 2,
      succeeded: 1,
      failed: 1,
      cancelled: 0,
    });
    await line.teardown();
  });

  it('fails a track at once, without retrying, on a non-retryable error', async () => {
    const refusing = toyStage('ingest', () => {
      throw new StageError('not-audio', 'the upload is a PNG image');
    });
    const line = await setup([refusing, toyStage('analysis'), toyStage('packaging')]);
    await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const failed = line.events.find((e) => e.state === 'failed' && e.step === 'ingest');
    expect(failed?.error).toEqual({
      code: 'not-audio',
      reason: 'the upload is a PNG image',
      retryable: false,
    });
    expect(refusing.runs).toBe(1);
    expect(line.bus.peek(Topics.deadLetter('ingest'))).toHaveLength(0);
    expect(released(line.events)[0].state).toBe('failed');
    await line.teardown();
  });

  it('sets an unparseable message aside and keeps consuming', async () => {
    const stages = route.map((s) => toyStage(s));
    const line = await setup(stages);
    await line.bus.publish(Topics.stepRequested('ingest'), [
      { key: 'x', value: '{"schema":"pressline.step.requested.v1","step":' },
    ]);
    await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const dead = line.bus.peek(Topics.deadLetter('ingest'));
    expect(dead).toHaveLength(1);
    expect(dead[0].headers[Headers.deadLetterCode]).toBe('invalid-message');
    expect(dead[0].headers[Headers.deadLetterReason]).toMatch(/not JSON/);
    await line.teardown();
  });

  it('skips the steps of a cancelled release', async () => {
    const stages = route.map((s) => toyStage(s));
    const line = await setup(stages);
    const record = await line.submit(0).catch(() => null);
    expect(record).not.toBeNull();
    const releaseId = newId('rel');
    await putJson(line.store, Keys.cancelled('acme', releaseId), {});
    const trackId = newId('trk');
    await putJson(line.store, Keys.releaseRecord('acme', releaseId), {
      schema: 'pressline.release.v1',
      tenantId: 'acme',
      releaseId,
      createdAt: new Date().toISOString(),
      submission: {
        title: 'R',
        artist: 'A',
        profiles: ['spotify'],
        tracks: [{ title: 'T', fileName: 'a.wav' }],
      },
      tracks: [{ trackId, position: 1, route, sources: [] }],
    });
    await line.emitter.stepRequest({
      tenantId: 'acme',
      releaseId,
      trackId,
      jobId: newId('job'),
      step: 'ingest',
      route,
      inputs: {},
      params: {},
    });
    await line.until(() => line.events.some((e) => e.state === 'cancelled'), 'the cancelled event');
    expect(stages[0].runs).toBe(0);
    await line.teardown();
  });

  it('re-queues a deferred step without counting an attempt, until it can run', async () => {
    const waiting = toyStage('analysis', (n) => {
      if (n <= 2) throw new StageDeferred('waiting for the other tracks', 5);
    });
    const line = await setup([toyStage('ingest'), waiting, toyStage('packaging')]);
    await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    expect(waiting.runs).toBe(3);
    expect(released(line.events)[0].state).toBe('succeeded');
    expect(line.events.filter((e) => e.state === 'retried' || e.state === 'failed')).toHaveLength(0);
    await line.teardown();
  });

  it('fails a track whose step keeps deferring past the limit, with the reason', async () => {
    const never = toyStage('analysis', () => {
      throw new StageDeferred('the other tracks never arrive', 5);
    });
    const line = await setup([toyStage('ingest'), never, toyStage('packaging')], 3, 20);
    await line.submit(1);
    await line.until(() => released(line.events).length > 0, 'the release event');
    const failed = line.events.find((e) => e.state === 'failed');
    expect(failed?.error?.reason).toMatch(/gave up waiting: the other tracks never arrive/);
    await line.teardown();
  });
});

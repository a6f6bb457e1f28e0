import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StepName } from '@pressline/contracts';
import { silentLogger } from '@pressline/logging';
import {
  Emitter,
  InlinePool,
  MemoryBus,
  ReleaseWorker,
  StageError,
  StageWorker,
  type StageDefinition,
} from '@pressline/pipeline';
import { Keys, LocalFolderStore } from '@pressline/storage';
import { ConflictError, ReleaseNotFoundError, ValidationFailedError } from './errors';
import { ReleaseService } from './release-service';
import type { ReleaseView } from './release-view';
import { StatusProjector } from './status-projector';
import { verifyWebhook, WebhookNotifier } from './webhooks';

function stage(
  step: StepName,
  fail: (trackTitle: string, runs: number) => boolean = () => false,
): StageDefinition & { runs: number } {
  const s = {
    step,
    version: '1',
    runs: 0,
    paramsFor: () => ({}),
    async run(ctx: Parameters<StageDefinition['run']>[0]) {
      s.runs++;
      const release = await ctx.release();
      const track = release.tracks.find((t) => t.trackId === ctx.request.trackId)!;
      const title = release.submission.tracks[track.position - 1].title;
      if (fail(title, s.runs)) throw new StageError('not-audio', `${title} is not audio`);
      const key = `${ctx.outputPrefix}${step}.txt`;
      await ctx.store.put(key, step);
      return { outputs: { [step]: key } };
    },
  };
  return s;
}

async function line(stages: StageDefinition[]) {
  const store = new LocalFolderStore(await mkdtemp(join(tmpdir(), 'releases-')));
  await store.ensureReady();
  const bus = new MemoryBus({ partitions: 2, drainTimeoutMs: 2000 });
  const deps = {
    bus,
    store,
    cpu: new InlinePool(),
    logger: silentLogger(),
    settings: { concurrency: 2, maxAttempts: 2, retryBackoffMs: 1 },
  };
  const workers = [
    ...stages.map((s) => new StageWorker(deps, s)),
    new ReleaseWorker(deps, { version: '1', run: async () => ({ outputs: {} }) }),
  ];
  for (const w of workers) await w.start();
  const notifier = new WebhookNotifier(silentLogger(), { attempts: 1, backoffMs: 1, timeoutMs: 1000 });
  const projector = new StatusProjector(bus, store, silentLogger(), { notifier, secretFor: () => 'whsec' });
  await projector.start();
  const releases = new ReleaseService(
    store,
    new Emitter(bus, 'test'),
    { secret: 'x'.repeat(32), ttlSeconds: 60, publicUrl: 'http://gw' },
    silentLogger(),
  );
  async function until(tenant: string, releaseId: string, states: string[]): Promise<ReleaseView> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const view = await releases.get(tenant, releaseId, { history: true });
      if (states.includes(view.state)) return view;
      if (Date.now() > deadline)
        throw new Error(`release stuck in ${view.state}: ${JSON.stringify(view.tracks.map((t) => t.state))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async function stop(): Promise<void> {
    await projector.stop();
    for (const w of workers) await w.stop();
  }
  return { store, bus, releases, until, stop, notifier };
}

const ROUTE: StepName[] = ['ingest', 'analysis', 'packaging'];
const submission = (titles: string[]) => ({
  title: 'R',
  artist: 'A',
  tracks: titles.map((title) => ({ title, fileName: `${title}.wav`, route: ROUTE })),
});

async function upload(
  releases: ReleaseService,
  tenant: string,
  created: Awaited<ReturnType<ReleaseService['create']>>,
): Promise<void> {
  for (const u of created.uploads)
    await releases.putSource(
      tenant,
      created.release.releaseId,
      u.trackId,
      u.index,
      Readable.from([Buffer.from('bytes')]),
    );
}

describe('ReleaseService with the status projector', () => {
  it('follows a release to completion, step by step', async () => {
    const l = await line(ROUTE.map((s) => stage(s)));
    const created = await l.releases.create('acme', submission(['a', 'b']));
    expect(created.release.state).toBe('awaiting-upload');
    expect(created.uploads).toHaveLength(2);
    expect(created.uploads[0].uploadUrl).toBeNull();
    await upload(l.releases, 'acme', created);
    await l.releases.start('acme', created.release.releaseId);
    const done = await l.until('acme', created.release.releaseId, ['completed']);
    for (const t of done.tracks) {
      expect(t.state).toBe('succeeded');
      expect(Object.values(t.steps).map((s) => s?.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    }
    expect(done.progress).toBe(100);
    await l.stop();
  });

  it('retries a failed track as a new job without redoing the steps that succeeded', async () => {
    const analysis = stage('analysis', (title, runs) => title === 'flaky' && runs === 1);
    const ingest = stage('ingest');
    const l = await line([ingest, analysis, stage('packaging')]);
    const created = await l.releases.create('acme', submission(['flaky']));
    await upload(l.releases, 'acme', created);
    await l.releases.start('acme', created.release.releaseId);
    const failed = await l.until('acme', created.release.releaseId, ['failed', 'completed-with-failures']);
    expect(failed.tracks[0].error).toMatchObject({ step: 'analysis', code: 'not-audio' });
    const firstJob = failed.tracks[0].jobId;
    await expect(l.releases.retry('acme', created.release.releaseId, 'trk_unknown')).rejects.toBeInstanceOf(
      ReleaseNotFoundError,
    );
    await l.releases.retry('acme', created.release.releaseId, failed.tracks[0].trackId);
    const done = await l.until('acme', created.release.releaseId, ['completed']);
    expect(done.tracks[0].jobId).not.toBe(firstJob);
    expect(ingest.runs).toBe(1);
    expect(analysis.runs).toBe(2);
    await expect(
      l.releases.retry('acme', created.release.releaseId, done.tracks[0].trackId),
    ).rejects.toBeInstanceOf(ConflictError);
    await l.stop();
  });

  it('cancels a release: tracks not yet processed end cancelled', async () => {
    const l = await line(ROUTE.map((s) => stage(s)));
    const created = await l.releases.create('acme', submission(['x', 'y']));
    await upload(l.releases, 'acme', created);
    await l.releases.cancel('acme', created.release.releaseId);
    await expect(l.releases.start('acme', created.release.releaseId)).rejects.toBeInstanceOf(ConflictError);
    expect((await l.releases.get('acme', created.release.releaseId)).state).toBe('cancelled');
    await l.stop();
  });

  it('skips the remaining steps of tracks already running when the release is cancelled', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    let entered = false;
    const slow: StageDefinition = {
      ...stage('ingest'),
      async run(ctx) {
        entered = true;
        await gate;
        return stage('ingest').run(ctx);
      },
    };
    const analysis = stage('analysis');
    const l = await line([slow, analysis, stage('packaging')]);
    const created = await l.releases.create('acme', submission(['x']));
    await upload(l.releases, 'acme', created);
    await l.releases.start('acme', created.release.releaseId);
    while (!entered) await new Promise((r) => setTimeout(r, 5));
    await l.releases.cancel('acme', created.release.releaseId);
    open();
    const view = await l.until('acme', created.release.releaseId, ['cancelled']);
    expect(view.tracks[0].state).toBe('cancelled');
    expect(view.tracks[0].steps.ingest?.state).toBe('succeeded');
    expect(view.tracks[0].steps.analysis?.state).toBe('cancelled');
    expect(analysis.runs).toBe(0);
    await l.stop();
  });

  it("keeps tenants apart: another tenant's release is not found", async () => {
    const l = await line(ROUTE.map((s) => stage(s)));
    const created = await l.releases.create('acme', submission(['x']));
    await expect(l.releases.get('globex', created.release.releaseId)).rejects.toBeInstanceOf(
      ReleaseNotFoundError,
    );
    await expect(l.releases.artifacts('globex', created.release.releaseId)).rejects.toBeInstanceOf(
      ReleaseNotFoundError,
    );
    await expect(
      l.releases.downloadUrl('globex', Keys.releaseRecord('acme', created.release.releaseId)),
    ).rejects.toBeInstanceOf(ReleaseNotFoundError);
    expect(await l.releases.list('globex')).toEqual([]);
    expect((await l.releases.list('acme')).map((r) => r.releaseId)).toEqual([created.release.releaseId]);
    await l.stop();
  });

  it('refuses an invalid submission with every problem listed', async () => {
    const l = await line([]);
    await expect(l.releases.create('acme', { title: '', tracks: [{}] })).rejects.toMatchObject({
      constructor: ValidationFailedError,
      problems: expect.arrayContaining([expect.stringMatching(/^title/), expect.stringMatching(/^artist/)]),
    });
    await l.stop();
  });
});

describe('webhook signatures', () => {
  it('verifies a signature made with the same secret, and only then', () => {
    const { signWebhook } = jest.requireActual<typeof import('./webhooks')>('./webhooks');
    const body = '{"type":"release.completed"}';
    const sig = signWebhook('secret-a', body);
    expect(verifyWebhook('secret-a', body, sig)).toBe(true);
    expect(verifyWebhook('secret-b', body, sig)).toBe(false);
    expect(verifyWebhook('secret-a', body.replace('completed', 'failed'), sig)).toBe(false);
    expect(
      verifyWebhook('secret-a', body, signWebhook('secret-a', body, Math.floor(Date.now() / 1000) - 3600)),
    ).toBe(false);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, type ReleaseRecord, type ReleaseSubmission } from '@pressline/contracts';
import { silentLogger } from '@pressline/logging';
import {
  InlinePool,
  StageDeferred,
  StageError,
  type StageContext,
  type TrackOutcome,
} from '@pressline/pipeline';
import { getJson, Keys, LocalFolderStore, putJson } from '@pressline/storage';
import { encodeWav } from '../../../testing/src/wav';
import type { MasterReport } from './chain/report';
import { MasteringStage } from './mastering.stage';
import { measure, programme, readBack, scaleToLufs } from './spec-helpers';

// The stage in a fake StageContext (local folder store, inline CPU pool), as the runtime calls it.
jest.setTimeout(60_000);

let dir: string;
let store: LocalFolderStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mastering-stage-'));
  store = new LocalFolderStore(join(dir, 'store'));
  await store.ensureReady();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Release {
  record: ReleaseRecord;
  canonical: string[];
  lufs: number[];
}

/** A release whose tracks have canonical copies (WAV) of known loudness. */
async function release(
  lufs: number[],
  mastering?: ReleaseSubmission['mastering'],
  profiles = ['spotify'],
): Promise<Release> {
  const releaseId = newId('rel');
  const tracks = lufs.map(() => newId('trk'));
  const canonical: string[] = [];
  for (const [i, trackId] of tracks.entries()) {
    const key = `${Keys.stepOutput('acme', releaseId, trackId, 'ingest', 'h')}canonical-0.wav`;
    await store.put(
      key,
      encodeWav(
        { sampleRate: 44100, channels: scaleToLufs(programme(3, 44100, { seed: 30 + i }), 44100, lufs[i]) },
        { format: 'int24' },
      ),
    );
    canonical.push(key);
  }
  const record: ReleaseRecord = {
    schema: 'pressline.release.v1',
    tenantId: 'acme',
    releaseId,
    createdAt: new Date().toISOString(),
    submission: {
      title: 'R',
      artist: 'A',
      profiles,
      mastering,
      tracks: tracks.map((_, i) => ({ title: `T${i}`, fileName: `t${i}.wav` })),
    },
    tracks: tracks.map((trackId, i) => ({
      trackId,
      position: i + 1,
      route: ['ingest', 'analysis', 'mastering', 'packaging'],
      sources: [{ name: 'master', fileName: `t${i}.wav`, key: `u/${i}` }],
    })),
  };
  return { record, canonical, lufs };
}

/** What the analysis stage writes for a track (the fields album mode reads). */
async function writeAnalysis(r: Release, index: number): Promise<void> {
  const trackId = r.record.tracks[index].trackId;
  const channels = (await readBack(await local(r.canonical[index]))).channels;
  const m = measure(channels, 44100);
  await putJson(
    store,
    `${Keys.stepOutput('acme', r.record.releaseId, trackId, 'analysis', 'a1')}analysis.json`,
    {
      schema: 'pressline.analysis.v1',
      format: { channels: 2, sampleRate: 44100 },
      loudness: { integratedLufs: m.integratedLufs, truePeakDbtp: m.truePeakDbtp },
    },
  );
}

async function local(key: string): Promise<string> {
  const file = join(dir, `${newId('job')}.wav`);
  await store.getToFile(key, file);
  return file;
}

async function context(r: Release, index: number): Promise<StageContext> {
  const trackId = r.record.tracks[index].trackId;
  return {
    request: {
      schema: 'pressline.step.requested.v1',
      messageId: 'm',
      tenantId: 'acme',
      releaseId: r.record.releaseId,
      trackId,
      jobId: newId('job'),
      step: 'mastering',
      route: ['ingest', 'analysis', 'mastering', 'packaging'],
      inputs: { 'canonical.0': r.canonical[index] },
      params: { profiles: r.record.submission.profiles },
      requestedAt: new Date().toISOString(),
    },
    store,
    outputPrefix: Keys.stepOutput('acme', r.record.releaseId, trackId, 'mastering', newId('job')),
    workDir: await mkdtemp(join(dir, 'work-')),
    logger: silentLogger(),
    cpu: new InlinePool(),
    progress: () => undefined,
    release: async () => r.record,
  };
}

describe('MasteringStage', () => {
  it('writes one verified master and report per profile, and `master` = the first profile', async () => {
    const r = await release([-20], undefined, ['spotify', 'cd']);
    const result = await new MasteringStage().run(await context(r, 0));
    expect(Object.keys(result.outputs).sort()).toEqual([
      'master',
      'master-report.cd',
      'master-report.spotify',
      'master.cd',
      'master.spotify',
    ]);
    expect(result.outputs.master).toBe(result.outputs['master.spotify']);
    expect(result.outputs['master.spotify']).toMatch(/master\.spotify\.wav$/);
    const report = (await getJson<MasterReport>(store, result.outputs['master-report.spotify']))!;
    expect(report.verification.passed).toBe(true);
    expect(report.output.file).toBe(result.outputs['master.spotify']);
    const back = await readBack(await local(result.outputs['master.spotify']));
    expect(Math.abs(back.loudness.integratedLufs! + 14)).toBeLessThanOrEqual(0.2);
    expect(result.summary).toMatchObject({
      spotify: { linear: true, decision: 'linear' },
      cd: { linear: true },
    });
  });

  it('applies the release override of a profile', async () => {
    const r = await release([-20], { overrides: { spotify: { targetLufs: -16 } } });
    const result = await new MasteringStage().run(await context(r, 0));
    const report = (await getJson<MasterReport>(store, result.outputs['master-report.spotify']))!;
    expect(Math.abs(report.output.integratedLufs! + 16)).toBeLessThanOrEqual(0.2);
    expect(report.profile.changes.join(' ')).toMatch(/release override/);
  });

  it('keys its outputs by profiles, overrides and album flag, and has a new version', () => {
    const stage = new MasteringStage();
    expect(stage.version).not.toBe('mastering@0-passthrough');
    const request = {
      params: { profiles: ['cd'], mastering: { album: true } },
    } as unknown as StageContext['request'];
    expect(stage.paramsFor(request)).toEqual({ profiles: ['cd'], mastering: { album: true } });
  });

  it('fails with invalid-metadata for an unknown profile', async () => {
    const r = await release([-20], undefined, ['napster']);
    await expect(new MasteringStage().run(await context(r, 0))).rejects.toMatchObject({
      code: 'invalid-metadata',
    });
  });

  it('fails the step with target-not-met (a StageError) when the target cannot be met, and ships nothing', async () => {
    const r = await release([-20], { overrides: { spotify: { targetLufs: -5, truePeakDbtp: -9 } } });
    const ctx = await context(r, 0);
    const e = await new MasteringStage().run(ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StageError);
    expect((e as StageError).code).toBe('target-not-met');
    const keys = (await store.list(ctx.outputPrefix)).map((o) => o.key);
    expect(keys.some((k) => /master\.spotify/.test(k))).toBe(false);
    expect(keys.some((k) => /failed-report\.spotify\.json$/.test(k))).toBe(true);
  });
});

describe('MasteringStage in album mode', () => {
  it('defers (StageDeferred) until every track has its analysis', async () => {
    const r = await release([-18, -24], { album: true });
    await writeAnalysis(r, 0);
    const e = await new MasteringStage().run(await context(r, 0)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StageDeferred);
    expect((e as StageDeferred).reason).toMatch(/waiting for the analysis of 1 of 2 tracks/);
  });

  it('applies one gain anchored on the loudest track, keeping the difference', async () => {
    const r = await release([-18, -24], { album: true });
    await writeAnalysis(r, 0);
    await writeAnalysis(r, 1);
    const a = await new MasteringStage().run(await context(r, 0));
    const b = await new MasteringStage().run(await context(r, 1));
    const ra = (await getJson<MasterReport>(store, a.outputs['master-report.spotify']))!;
    const rb = (await getJson<MasterReport>(store, b.outputs['master-report.spotify']))!;
    expect(ra.album!.gainDb).toBeCloseTo(4, 1);
    expect(rb.album!.gainDb).toBe(ra.album!.gainDb);
    expect(ra.album!.isAnchor).toBe(true);
    const la = (await readBack(await local(a.outputs.master))).loudness.integratedLufs!;
    const lb = (await readBack(await local(b.outputs.master))).loudness.integratedLufs!;
    expect(Math.abs(la + 14)).toBeLessThanOrEqual(0.2);
    expect(la - lb).toBeCloseTo(6, 1);
  });

  it('leaves out a track whose run failed', async () => {
    const r = await release([-18, -24, -12], { album: true });
    await writeAnalysis(r, 0);
    await writeAnalysis(r, 1);
    const failed = r.record.tracks[2].trackId;
    const outcome: TrackOutcome = {
      schema: 'pressline.track-outcome.v1',
      trackId: failed,
      jobId: 'j',
      state: 'failed',
      step: 'ingest',
      error: { code: 'not-audio', reason: 'x' },
      at: new Date().toISOString(),
    };
    await putJson(store, Keys.trackOutcome('acme', r.record.releaseId, failed), outcome);
    const result = await new MasteringStage().run(await context(r, 1));
    const report = (await getJson<MasterReport>(store, result.outputs['master-report.spotify']))!;
    expect(report.album!.anchorId).toBe(r.record.tracks[0].trackId);
    expect(report.album!.reason).toMatch(/left out/);
  });
});

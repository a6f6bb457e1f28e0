import { join } from 'node:path';
import type { CpuTask } from '@pressline/pipeline';
import { MasteringOptions, type ProfileOverride } from '@pressline/contracts';
import { StageError, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';
import { putJson } from '@pressline/storage';
import { readAlbumFigures } from './album-inputs';
import type { AlbumContext } from './chain/master-track';
import { planAlbum } from './chain/plan';
import type { MasterReport } from './chain/report';
import type { MasterOutcome, MasterTaskArgs } from './master.task';
import { ceilingForTarget, getProfile, resolveProfile, type ResolvedProfile } from './profiles';

/** The mastering chain as a CPU-pool task (worker thread in production, inline under jest). */
export const MASTER_TASK: CpuTask = { module: join(__dirname, 'master.task'), name: 'master' };

function profilesOf(params: Record<string, unknown>): string[] | null {
  const p = params.profiles;
  return Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'string') ? p : null;
}

/**
 * Mastering: one master per delivery profile of the release (spotify, apple-digital-masters, cd,
 * ...), each to the profile's loudness target and true-peak ceiling, rate and depth, verified by
 * the project's meter, with a JSON report of every decision. Outputs `master.<profile>`,
 * `master-report.<profile>` and `master` (the first profile's master, what packaging reads).
 * Album mode (submission.mastering.album) waits for every track's analysis and applies one gain
 * for the release, anchored on its loudest track.
 */
export class MasteringStage implements StageDefinition {
  readonly step = 'mastering' as const;
  readonly version = 'mastering@1';

  constructor(private readonly task: CpuTask = MASTER_TASK) {}

  /** Profiles, overrides and the album flag decide the outputs (release-service passes `mastering` in the params). */
  paramsFor(request: StageContext['request']): Record<string, unknown> {
    return {
      profiles: profilesOf(request.params) ?? ['spotify'],
      mastering: request.params.mastering ?? null,
    };
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const inputKey = ctx.request.inputs.mix ?? ctx.request.inputs['canonical.0'];
    if (!inputKey)
      throw new StageError('processing-failed', 'nothing to master (no mix and no canonical audio)');
    const release = await ctx.release();
    const names = profilesOf(ctx.request.params) ?? release.submission.profiles;
    const parsed = MasteringOptions.safeParse(
      ctx.request.params.mastering ?? release.submission.mastering ?? {},
    );
    if (!parsed.success)
      throw new StageError(
        'invalid-metadata',
        `mastering options: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    const options = parsed.data;
    const profiles: ResolvedProfile[] = names.map((name) => {
      try {
        const override: ProfileOverride = options.overrides?.[name] ?? {};
        return resolveProfile(getProfile(name), override);
      } catch (e) {
        throw new StageError('invalid-metadata', (e as Error).message);
      }
    });

    // album mode: every track's analysis first (deferred until they exist), one gain per profile
    const album = new Map<string, AlbumContext>();
    let excluded: readonly { trackId: string; reason: string }[] = [];
    if (options.album) {
      const figures = await readAlbumFigures(ctx);
      excluded = figures.excluded;
      if (!figures.tracks.some((t) => t.id === ctx.request.trackId)) {
        throw new StageError(
          'target-not-met',
          'album mode: this track has no measurable loudness in its analysis',
        );
      }
      for (const p of profiles) {
        const ceiling = ceilingForTarget(p, p.targetLufs).ceilingDbtp;
        const plan = planAlbum(figures.tracks, {
          targetLufs: p.targetLufs,
          ceilingDbtp: ceiling,
          peakMarginDb: p.peakMarginDb,
          policy: p.policy,
        });
        const note = excluded.length
          ? `; left out: ${excluded.map((x) => `${x.trackId} ${x.reason}`).join(', ')}`
          : '';
        album.set(p.name, {
          gainDb: plan.gainDb,
          anchorId: plan.anchorId,
          anchorLufs: plan.anchorLufs,
          reason: `${plan.reason} (${figures.tracks.length} tracks${note})`,
        });
      }
    }

    const local = join(ctx.workDir, `input${inputKey.slice(inputKey.lastIndexOf('.'))}`);
    await ctx.store.getToFile(inputKey, local);
    ctx.progress(5);
    let done = 0;
    const outcomes = await Promise.all(
      profiles.map(async (p) => {
        const args: MasterTaskArgs = {
          input: local,
          output: join(ctx.workDir, `master.${p.name}.${p.container}`),
          profile: p,
          workDir: ctx.workDir,
          id: ctx.request.trackId,
          album: album.get(p.name),
        };
        const outcome = await ctx.cpu.run<MasterOutcome>(this.task, args);
        ctx.progress(5 + (90 * ++done) / profiles.length);
        return { profile: p, args, outcome };
      }),
    );
    const failed = outcomes.find((o) => !o.outcome.ok);
    if (failed && !failed.outcome.ok) {
      const e = failed.outcome.error;
      if (e.report)
        await putJson(ctx.store, `${ctx.outputPrefix}failed-report.${failed.profile.name}.json`, e.report);
      throw new StageError(e.code, `${failed.profile.name}: ${e.reason}`, { retryable: e.retryable });
    }

    const outputs: Record<string, string> = {};
    const summary: Record<string, unknown> = {};
    for (const { profile, args, outcome } of outcomes) {
      const report = (outcome as { ok: true; report: MasterReport }).report;
      const masterKey = `${ctx.outputPrefix}master.${profile.name}.${profile.container}`;
      const reportKey = `${ctx.outputPrefix}master-report.${profile.name}.json`;
      await ctx.store.putFile(masterKey, args.output);
      await putJson(ctx.store, reportKey, {
        ...report,
        input: { ...report.input, file: inputKey },
        output: { ...report.output, file: masterKey },
      });
      outputs[`master.${profile.name}`] = masterKey;
      outputs[`master-report.${profile.name}`] = reportKey;
      outputs.master ??= masterKey;
      summary[profile.name] = {
        integratedLufs: report.output.integratedLufs,
        truePeakDbtp: report.output.truePeakDbtp,
        gainDb: report.gainDb,
        linear: report.linear,
        decision: report.policy.decision,
        limiterMaxDb: report.limiter?.maxGainReductionDb ?? 0,
        ...(report.album ? { albumGainDb: report.album.gainDb, anchor: report.album.anchorId } : {}),
      };
    }
    ctx.progress(100);
    return { outputs, summary };
  }
}

import { basename, extname, join } from 'node:path';
import type { ResolvedProfile } from '../profiles';
import { analyseSignal, type SignalAnalysis } from './analyse';
import { finishTrack, prepareTrack, type PreparedTrack } from './master-track';
import { planAlbum } from './plan';
import type { AlbumReport, MasterReport } from './report';

export interface MasterAlbumOptions {
  readonly inputs: readonly string[];
  /** Folder the masters are written to, named after the inputs with the profile's extension. */
  readonly outputDir: string;
  readonly profile: ResolvedProfile;
  readonly workDir: string;
  readonly reference?: string;
  readonly referenceLoudness?: boolean;
}

/** Output file of an input in album mode: same base name, the profile's container as extension. */
export function albumOutputName(input: string, container: 'wav' | 'flac'): string {
  return `${basename(input, extname(input))}.${container}`;
}

/**
 * Album mode on files: every track is measured first (its pre-gain signal spooled), then one gain
 * for the whole album is planned, anchored on the loudest track (planAlbum), then each track is
 * rendered and verified with that gain, limited alone where its peaks need it (policy 'limit').
 * A track that fails (target-not-met) fails the album: MasteringError is thrown after the other
 * tracks' spools are removed.
 */
export async function masterAlbum(o: MasterAlbumOptions): Promise<AlbumReport> {
  if (o.inputs.length === 0) throw new RangeError('album mode needs at least one track');
  const names = o.inputs.map((f) => albumOutputName(f, o.profile.container));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new RangeError(`two inputs would both be written as ${dup}: rename one`);
  const reference: SignalAnalysis | undefined = o.reference ? await analyseSignal(o.reference) : undefined;
  const prepared: PreparedTrack[] = [];
  try {
    for (let i = 0; i < o.inputs.length; i++) {
      prepared.push(
        await prepareTrack({
          input: o.inputs[i],
          output: join(o.outputDir, names[i]),
          profile: o.profile,
          workDir: o.workDir,
          reference,
          referenceLoudness: o.referenceLoudness,
        }),
      );
    }
  } catch (e) {
    await Promise.all(prepared.map((t) => t.dispose()));
    throw e;
  }
  const first = prepared[0];
  const plan = planAlbum(
    prepared.map((t) => ({ id: t.id, ...t.preGain })),
    {
      targetLufs: first.targetLufs,
      ceilingDbtp: first.ceilingDbtp,
      peakMarginDb: o.profile.peakMarginDb,
      policy: o.profile.policy,
    },
  );
  const reports: MasterReport[] = [];
  try {
    for (let i = 0; i < prepared.length; i++) {
      const t = prepared[i];
      reports.push(
        await finishTrack(t, plan.tracks[i].plan, {
          gainDb: plan.gainDb,
          anchorId: plan.anchorId,
          anchorLufs: plan.anchorLufs,
          reason: plan.reason,
        }),
      );
    }
  } finally {
    await Promise.all(prepared.map((t) => t.dispose()));
  }
  return {
    schema: 'pressline.album-master-report.v1',
    profile: o.profile.name,
    gainDb: plan.gainDb,
    anchorId: plan.anchorId,
    anchorLufs: plan.anchorLufs,
    reason: plan.reason,
    tracks: reports,
  };
}

import { masterTrack, type AlbumContext } from './chain/master-track';
import { toMasterFailure, type MasterFailure } from './chain/errors';
import type { MasterReport } from './chain/report';
import type { ResolvedProfile } from './profiles';

export interface MasterTaskArgs {
  readonly input: string;
  readonly output: string;
  readonly profile: ResolvedProfile;
  readonly workDir: string;
  readonly id?: string;
  readonly reference?: string;
  readonly album?: AlbumContext;
}

/** Expected failures are values (they cross the worker boundary as data, not as exceptions). */
export type MasterOutcome =
  | { readonly ok: true; readonly report: MasterReport }
  | { readonly ok: false; readonly error: MasterFailure };

/** Worker-thread entry (CpuPool): one track, one profile. */
export async function master(args: MasterTaskArgs): Promise<MasterOutcome> {
  try {
    return { ok: true, report: await masterTrack(args) };
  } catch (e) {
    return { ok: false, error: toMasterFailure(e) };
  }
}

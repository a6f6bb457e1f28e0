import { StageError, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';

/**
 * Mastering, for now: passes the mix (or the canonical master) through, so that the line runs end
 * to end. The mastering chain (profiles, loudness, true-peak limiting, dither) replaces it.
 */
export class MasteringStage implements StageDefinition {
  readonly step = 'mastering' as const;
  readonly version = 'mastering@0-passthrough';

  paramsFor(): Record<string, unknown> {
    return {};
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const input = ctx.request.inputs.mix ?? ctx.request.inputs['canonical.0'];
    if (!input) throw new StageError('processing-failed', 'nothing to master (no mix and no canonical audio)');
    return { outputs: { master: input }, summary: { chain: 'pass-through' } };
  }
}

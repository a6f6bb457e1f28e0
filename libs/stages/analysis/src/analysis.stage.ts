import { join } from 'node:path';
import { MEASURE_TASK, type MeasureOutcome } from '@pressline/measurement';
import { StageError, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';
import { putJson } from '@pressline/storage';

/**
 * Analysis: one streaming pass over the track's audio (the canonical master; for stems, the
 * first stem) in a worker thread: format, loudness (BS.1770-5 / R128), true peak, QC, tempo,
 * beats, downbeats, metre, key and tuning. The figures go into the track's analysis artifact;
 * packaging writes BPM and key into the tags.
 */
export class AnalysisStage implements StageDefinition {
  readonly step = 'analysis' as const;
  readonly version = 'analysis@3';

  paramsFor(): Record<string, unknown> {
    return {};
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const key = ctx.request.inputs['canonical.0'];
    if (!key)
      throw new StageError('processing-failed', 'no canonical audio to analyse (ingest output missing)');
    const local = join(ctx.workDir, `input${key.slice(key.lastIndexOf('.'))}`);
    await ctx.store.getToFile(key, local);
    const outcome = await ctx.cpu.run<MeasureOutcome>(MEASURE_TASK, { file: local, series: true });
    if (!outcome.ok) {
      throw new StageError(
        outcome.error.retryable ? 'transient' : 'processing-failed',
        `analysing the canonical copy failed: ${outcome.error.message}`,
      );
    }
    const m = outcome.measurement;
    const analysisKey = `${ctx.outputPrefix}analysis.json`;
    await putJson(ctx.store, analysisKey, { schema: 'pressline.analysis.v1', ...m, file: key });
    return {
      outputs: { analysis: analysisKey },
      summary: {
        format: m.format.description,
        integratedLufs: m.loudness.integratedLufs,
        loudnessRangeLu: m.loudness.loudnessRangeLu,
        truePeakDbtp: m.loudness.truePeakDbtp,
        qc: m.qc.status,
        bpm: m.tempo?.bpm ?? null,
        key: m.key?.label ?? null,
        camelot: m.key?.camelot ?? null,
        timeSignature: m.timeSignature ?? null,
      },
    };
  }
}

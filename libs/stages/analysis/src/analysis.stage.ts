import { join } from 'node:path';
import { StageError, type CpuTask, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';
import { putJson } from '@pressline/storage';
import type { FileAnalysis } from './analyze-file';

export const ANALYZE_TASK: CpuTask = { module: join(__dirname, 'analyze.task'), name: 'analyze' };

/**
 * Analysis: one pass over the track's audio (the mix input: the canonical master, or the first
 * stem) in a worker thread; the figures go into the track's analysis artifact.
 */
export class AnalysisStage implements StageDefinition {
  readonly step = 'analysis' as const;
  readonly version = 'analysis@1';

  paramsFor(): Record<string, unknown> {
    return {};
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const key = ctx.request.inputs['canonical.0'];
    if (!key) throw new StageError('processing-failed', 'no canonical audio to analyse (ingest output missing)');
    const local = join(ctx.workDir, `input${key.slice(key.lastIndexOf('.'))}`);
    await ctx.store.getToFile(key, local);
    const figures = await ctx.cpu.run<FileAnalysis>(ANALYZE_TASK, { file: local });
    const analysisKey = `${ctx.outputPrefix}analysis.json`;
    await putJson(ctx.store, analysisKey, { schema: 'pressline.analysis.v1', ...figures, file: key });
    return { outputs: { analysis: analysisKey }, summary: { format: figures.format, loudness: figures.loudness } };
  }
}

import { join } from 'node:path';
import { StageError, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';
import { putJson } from '@pressline/storage';
import { mixStems } from './mix-stems';

/**
 * Mixing: stems to a stereo mix with a recipe (per-stem gain) a person can override in the
 * submission. A track that arrives as one stereo file is passed through untouched.
 */
export class MixingStage implements StageDefinition {
  readonly step = 'mixing' as const;
  readonly version = 'mixing@1';

  paramsFor(): Record<string, unknown> {
    return {};
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const stemKeys = Object.keys(ctx.request.inputs)
      .filter((k) => k.startsWith('canonical.'))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .map((k) => ctx.request.inputs[k]);
    if (stemKeys.length === 0)
      throw new StageError('processing-failed', 'nothing to mix (ingest output missing)');
    if (stemKeys.length === 1) {
      return { outputs: { mix: stemKeys[0] }, summary: { recipe: 'pass-through (one stereo file)' } };
    }
    const release = await ctx.release();
    const track = release.tracks.find((t) => t.trackId === ctx.request.trackId)!;
    const submitted = release.submission.tracks[track.position - 1];
    const stems = [];
    for (const [i, key] of stemKeys.entries()) {
      const file = join(ctx.workDir, `stem-${i}${key.slice(key.lastIndexOf('.'))}`);
      await ctx.store.getToFile(key, file);
      stems.push({
        file,
        name: track.sources[i]?.name ?? `stem ${i + 1}`,
        gainDb: submitted.stems?.[i]?.gainDb ?? 0,
      });
    }
    const mixFile = join(ctx.workDir, 'mix.wav');
    const report = await mixStems(stems, mixFile);
    const mixKey = `${ctx.outputPrefix}mix.wav`;
    await ctx.store.putFile(mixKey, mixFile, { contentType: 'audio/wav' });
    const recipeKey = `${ctx.outputPrefix}mix-recipe.json`;
    await putJson(ctx.store, recipeKey, { schema: 'pressline.mix-recipe.v1', ...report });
    return {
      outputs: { mix: mixKey, 'mix-recipe': recipeKey },
      summary: { recipe: 'sum with per-stem gain', stems: report.stems, peak: report.peak },
    };
  }
}

import { bootstrapStageWorker } from '@pressline/pipeline';
import { AnalysisStage } from '@pressline/stage-analysis';

void bootstrapStageWorker(new AnalysisStage()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

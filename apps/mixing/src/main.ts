import { bootstrapStageWorker } from '@pressline/pipeline';
import { MixingStage } from '@pressline/stage-mixing';

void bootstrapStageWorker(new MixingStage()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

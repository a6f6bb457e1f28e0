import { bootstrapStageWorker } from '@pressline/pipeline';
import { MasteringStage } from '@pressline/stage-mastering';

void bootstrapStageWorker(new MasteringStage()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

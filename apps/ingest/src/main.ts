import { bootstrapStageWorker } from '@pressline/pipeline';
import { IngestStage, ingestRulesFromEnv } from '@pressline/stage-ingest';

void bootstrapStageWorker(new IngestStage(ingestRulesFromEnv())).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

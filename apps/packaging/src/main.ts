import { bootstrapStageWorker } from '@pressline/pipeline';
import { PackagingStage, ReleasePackager } from '@pressline/stage-packaging';

// Packaging runs the per-track step and the release fan-in (the deliverable folder).
void bootstrapStageWorker(new PackagingStage(), new ReleasePackager()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

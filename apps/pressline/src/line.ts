import type { Logger } from 'pino';
import type { Config } from '@pressline/config';
import {
  createInfrastructure,
  defaultWorkerName,
  ReleaseWorker,
  StageWorker,
  type Infrastructure,
} from '@pressline/pipeline';
import { AnalysisStage } from '@pressline/stage-analysis';
import { IngestStage, ingestRulesFromEnv } from '@pressline/stage-ingest';
import { MasteringStage } from '@pressline/stage-mastering';
import { MixingStage } from '@pressline/stage-mixing';
import { PackagingStage, ReleasePackager } from '@pressline/stage-packaging';

export interface RunningLine {
  readonly infra: Infrastructure;
  stop(): Promise<void>;
}

/** Every stage of the line on one infrastructure: the all-in-one process (embedded or not). */
export async function startLine(config: Config, logger: Logger): Promise<RunningLine> {
  const infra = await createInfrastructure(config, logger);
  const deps = { ...infra, logger, workerName: defaultWorkerName('pressline') };
  const workers: Array<StageWorker | ReleaseWorker> = [
    new StageWorker(deps, new IngestStage(ingestRulesFromEnv())),
    new StageWorker(deps, new AnalysisStage()),
    new StageWorker(deps, new MixingStage()),
    new StageWorker(deps, new MasteringStage()),
    new StageWorker(deps, new PackagingStage()),
    new ReleaseWorker(deps, new ReleasePackager()),
  ];
  for (const w of workers) await w.start();
  return {
    infra,
    async stop() {
      for (const w of workers) await w.stop();
      await infra.close();
    },
  };
}

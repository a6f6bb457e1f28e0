import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { Config } from '@pressline/config';
import { createInfrastructure, type Infrastructure } from '../infrastructure';
import { ReleaseWorker } from '../release-worker';
import type { ReleaseHandlerDefinition, StageDefinition } from '../stage';
import { defaultWorkerName, StageWorker } from '../stage-worker';

const WORKER_SETUP = Symbol('WorkerSetup');

interface WorkerSetup {
  readonly config: Config;
  readonly logger: Logger;
  readonly stage: StageDefinition;
  readonly releaseHandler?: ReleaseHandlerDefinition;
  /** Touched every few seconds while the worker runs: the liveness signal of a process without HTTP. */
  readonly aliveFile?: string;
}

/**
 * The whole of a stage service: binds one stage library to the runtime on the configured
 * transport. No HTTP server; SIGTERM drains the jobs in flight before the process leaves.
 */
@Module({})
export class StageWorkerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private infrastructure: Infrastructure | null = null;
  private workers: Array<StageWorker | ReleaseWorker> = [];
  private alive: NodeJS.Timeout | null = null;

  constructor(@Inject(WORKER_SETUP) private readonly setup: WorkerSetup) {}

  static forStage(setup: WorkerSetup): DynamicModule {
    return {
      module: StageWorkerModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: setup.logger }, forRoutes: [] })],
      providers: [{ provide: WORKER_SETUP, useValue: setup }],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, logger, stage, releaseHandler } = this.setup;
    this.infrastructure = await createInfrastructure(config, logger);
    const deps = { ...this.infrastructure, logger, workerName: defaultWorkerName(`pressline-${stage.step}`) };
    this.workers = [new StageWorker(deps, stage)];
    if (releaseHandler) this.workers.push(new ReleaseWorker(deps, releaseHandler));
    for (const w of this.workers) await w.start();
    if (this.setup.aliveFile) {
      const file = this.setup.aliveFile;
      const touch = (): void => void writeFile(file, new Date().toISOString()).catch(() => undefined);
      touch();
      this.alive = setInterval(touch, 5000);
    }
    logger.info(
      { mode: config.PRESSLINE_MODE, step: stage.step, cpu: this.infrastructure.cpu.mode },
      'worker ready',
    );
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.setup.logger.info({ signal }, 'draining');
    if (this.alive) clearInterval(this.alive);
    for (const w of this.workers) await w.stop();
    await this.infrastructure?.close();
    this.setup.logger.info('stopped');
  }
}

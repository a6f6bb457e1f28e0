import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { loadConfig, presslineVersion } from '@pressline/config';
import { createLogger } from '@pressline/logging';
import type { ReleaseHandlerDefinition, StageDefinition } from '../stage';
import { StageWorkerModule } from './stage-worker.module';

/** main() of every stage service: validated config, JSON logs, a Nest application context, shutdown hooks. */
export async function bootstrapStageWorker(
  stage: StageDefinition,
  releaseHandler?: ReleaseHandlerDefinition,
): Promise<void> {
  const service = `pressline-${stage.step}`;
  const config = loadConfig(process.env, { PRESSLINE_SERVICE: process.env.PRESSLINE_SERVICE ?? service });
  const logger = createLogger({
    service,
    version: presslineVersion(),
    level: config.LOG_LEVEL,
    pretty: config.LOG_PRETTY,
  });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const app = await NestFactory.createApplicationContext(
    StageWorkerModule.forStage({
      config,
      logger,
      stage,
      releaseHandler,
      aliveFile: process.env.PRESSLINE_ALIVE_FILE,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(NestPinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
}

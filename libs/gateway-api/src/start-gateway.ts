import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LoggerModule, Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { parseApiKeys, presslineVersion, type Config } from '@pressline/config';
import { Emitter, type Infrastructure } from '@pressline/pipeline';
import { ReleaseService, StatusProjector, WebhookNotifier } from '@pressline/releases';
import { GatewayModule, setupOpenApi } from './gateway.module';

export interface RunningGateway {
  readonly url: string;
  readonly releases: ReleaseService;
  readonly projector: StatusProjector;
  close(): Promise<void>;
}

@Module({})
class GatewayRootModule {
  static create(gateway: DynamicModule, logger: Logger): DynamicModule {
    return {
      module: GatewayRootModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          },
        }),
        gateway,
      ],
    };
  }
}

/**
 * Starts the HTTP gateway (and its status projector) on an infrastructure that the caller made:
 * apps/gateway runs it alone on Kafka + S3, `pressline serve` next to every stage in one process.
 */
export async function startGateway(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
): Promise<RunningGateway> {
  const keys = parseApiKeys(config.PRESSLINE_API_KEYS);
  const apiKeys = new Map(keys.map((k) => [k.key, k.tenantId]));
  const secrets = new Map(keys.map((k) => [k.tenantId, k.webhookSecret]));
  const publicUrl = config.PRESSLINE_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  const emitter = new Emitter(infra.bus, `pressline-gateway@${process.pid}`);
  const links = {
    secret: config.PRESSLINE_LINK_SECRET,
    ttlSeconds: config.PRESSLINE_LINK_TTL_SECONDS,
    publicUrl,
  };
  const releases = new ReleaseService(infra.store, emitter, links, logger);
  const notifier = new WebhookNotifier(logger.child({ component: 'webhooks' }));
  const projector = new StatusProjector(
    infra.bus,
    infra.store,
    logger.child({ component: 'status-projector' }),
    {
      notifier,
      secretFor: (tenantId) => secrets.get(tenantId),
    },
  );
  await projector.start(Math.max(2, config.PRESSLINE_CONCURRENCY));

  const module = GatewayModule.forRoot({
    releases,
    store: infra.store,
    options: {
      apiKeys,
      linkSecret: config.PRESSLINE_LINK_SECRET,
      maxUploadBytes: Number(process.env.PRESSLINE_MAX_FILE_BYTES ?? 4 * 1024 ** 3),
      ready: async () => {
        try {
          await infra.store.list('readyz/');
          return true;
        } catch {
          return false;
        }
      },
    },
  });
  const app = await NestFactory.create<NestExpressApplication>(GatewayRootModule.create(module, logger), {
    bufferLogs: true,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.useBodyParser('json', { limit: '2mb' });
  setupOpenApi(app, presslineVersion());
  // Longer than the keep-alive of clients and load balancers (60 s), so a pooled connection is
  // never closed by the server while a client is about to reuse it.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PRESSLINE_PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  links.publicUrl = url;
  logger.info({ url, docs: `${url}/docs`, mode: config.PRESSLINE_MODE }, 'gateway listening');
  return {
    url,
    releases,
    projector,
    async close() {
      await app.close();
      await projector.stop();
      await notifier.flush();
    },
  };
}

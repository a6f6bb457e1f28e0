import { loadConfig, presslineVersion } from '@pressline/config';
import { startGateway } from '@pressline/gateway-api';
import { createLogger } from '@pressline/logging';
import { parse } from '../args';
import { startLine } from '../line';

export const SERVE_HELP = `pressline serve [--port N] [--host H]

Starts the gateway (HTTP API, OpenAPI docs at /docs) and every stage in one process. Embedded by
default (in-memory bus, local folder store under PRESSLINE_DATA_DIR); with PRESSLINE_MODE=distributed,
KAFKA_BROKERS and S3_ENDPOINT it runs on Kafka and S3 instead. API keys: PRESSLINE_API_KEYS
(tenant:key[:webhookSecret],...; default demo:demo-key).`;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  const config = loadConfig(process.env, {
    PRESSLINE_SERVICE: 'pressline-serve',
    ...(values.port ? { PORT: values.port } : {}),
    ...(values.host ? { HOST: values.host } : {}),
  });
  const logger = createLogger({
    service: 'pressline-serve',
    version: presslineVersion(),
    level: config.LOG_LEVEL,
    pretty: config.LOG_PRETTY,
  });
  const line = await startLine(config, logger);
  const gateway = await startGateway(config, logger, line.infra);
  process.stderr.write(
    `pressline serving on ${gateway.url} (docs: ${gateway.url}/docs, mode: ${config.PRESSLINE_MODE})\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await gateway.close();
  await line.stop();
  return 0;
}

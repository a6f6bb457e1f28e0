import { loadConfig, presslineVersion } from '@pressline/config';
import { startGateway } from '@pressline/gateway-api';
import { createLogger } from '@pressline/logging';
import { createInfrastructure } from '@pressline/pipeline';

async function main(): Promise<void> {
  const config = loadConfig(process.env, {
    PRESSLINE_SERVICE: process.env.PRESSLINE_SERVICE ?? 'pressline-gateway',
  });
  const logger = createLogger({
    service: 'pressline-gateway',
    version: presslineVersion(),
    level: config.LOG_LEVEL,
    pretty: config.LOG_PRETTY,
  });
  const infra = await createInfrastructure(config, logger);
  const gateway = await startGateway(config, logger, infra);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await gateway.close();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { allTopics, STEP_NAMES } from '@pressline/contracts';
import type { Config } from '@pressline/config';
import { createStore, type ArtifactStore } from '@pressline/storage';
import type { MessageBus } from './bus';
import { createCpuPool, type CpuPool } from './cpu-pool';
import { KafkaBus } from './kafka-bus';
import { MemoryBus } from './memory-bus';
import type { RuntimeSettings } from './stage-worker';

export interface Infrastructure {
  readonly bus: MessageBus;
  readonly store: ArtifactStore;
  readonly cpu: CpuPool;
  readonly settings: RuntimeSettings;
  close(): Promise<void>;
}

/**
 * The transport and the store a process runs on, from its configuration: Kafka + S3 in the
 * distributed mode, the in-memory bus + a local folder in the embedded mode (the default).
 * One MemoryBus is only shared inside one process: the embedded mode is one process.
 */
export async function createInfrastructure(
  config: Config,
  logger: Logger,
  shared?: { bus?: MessageBus; store?: ArtifactStore },
): Promise<Infrastructure> {
  const distributed = config.PRESSLINE_MODE === 'distributed';
  const bus =
    shared?.bus ??
    (distributed
      ? new KafkaBus({
          brokers: config.KAFKA_BROKERS!.split(','),
          clientId: `${config.KAFKA_CLIENT_ID}-${config.PRESSLINE_SERVICE}`,
          partitions: config.KAFKA_PARTITIONS,
          sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
          rebalanceTimeoutMs: config.KAFKA_REBALANCE_TIMEOUT_MS,
          drainTimeoutMs: config.PRESSLINE_DRAIN_TIMEOUT_MS,
          logger,
        })
      : new MemoryBus({
          partitions: Math.min(config.KAFKA_PARTITIONS, 8),
          drainTimeoutMs: config.PRESSLINE_DRAIN_TIMEOUT_MS,
          logger,
        }));
  const store =
    shared?.store ??
    (distributed
      ? createStore({
          kind: 's3',
          bucket: config.S3_BUCKET,
          endpoint: config.S3_ENDPOINT,
          publicEndpoint: config.S3_PUBLIC_ENDPOINT,
          region: config.S3_REGION,
          forcePathStyle: config.S3_FORCE_PATH_STYLE,
          accessKeyId: config.AWS_ACCESS_KEY_ID,
          secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
        })
      : createStore({ kind: 'local', root: resolve(config.PRESSLINE_DATA_DIR) }));
  await store.ensureReady();
  await bus.ensureTopics(allTopics(STEP_NAMES));
  const cpu = createCpuPool({ threads: config.PRESSLINE_CPU_THREADS });
  return {
    bus,
    store,
    cpu,
    settings: {
      concurrency: config.PRESSLINE_CONCURRENCY,
      maxAttempts: config.PRESSLINE_MAX_ATTEMPTS,
      retryBackoffMs: config.PRESSLINE_RETRY_BACKOFF_MS,
      chaosDelay: config.PRESSLINE_CHAOS_DELAY
        ? {
            steps: config.PRESSLINE_CHAOS_DELAY.split(':')[0].split(','),
            ms: Number(config.PRESSLINE_CHAOS_DELAY.split(':')[1]),
          }
        : undefined,
    },
    async close() {
      await cpu.close();
      if (!shared?.bus) await bus.close();
      if (!shared?.store) await store.close();
    },
  };
}

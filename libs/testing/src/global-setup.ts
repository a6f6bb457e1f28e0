/**
 * Jest global setup for integration and end-to-end specs: they run against a real Kafka broker
 * and a real S3 server, never mocks.
 * 1. KAFKA_BROKERS and S3_ENDPOINT set (the local stack, CI): use them.
 * 2. Else a container runtime exists: start Kafka and versitygw with testcontainers.
 * 3. Else fail and say how to start the local stack.
 */
import type { StartedTestContainer } from 'testcontainers';

type Started = { containers: StartedTestContainer[] };
const registry = globalThis as typeof globalThis & { __presslineStack?: Started };

export const LOCAL_STACK_HINT =
  'No Kafka/S3 for the integration tests. Start the local stack and export its settings:\n' +
  '    deploy/local/stack.sh up && source .stack/env\n' +
  'or run the whole suite with: npm run test:all';

async function hasContainerRuntime(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<void> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const accessKey = 'pressline';
  const secretKey = 'pressline-test-secret';
  const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.1')
    .withKraft()
    .withExposedPorts(9093)
    .start();
  const s3 = await new GenericContainer('versity/versitygw:v1.7.0')
    .withEnvironment({ ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey })
    .withCommand(['--port', ':7070', '--health', '/health', 'posix', '--sidecar', '/tmp/meta', '/tmp/data'])
    .withExposedPorts(7070)
    .withWaitStrategy(Wait.forHttp('/health', 7070))
    .start();
  registry.__presslineStack = { containers: [kafka, s3] };
  process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  process.env.S3_ENDPOINT = `http://${s3.getHost()}:${s3.getMappedPort(7070)}`;
  process.env.S3_BUCKET = 'pressline';
  process.env.S3_REGION = 'us-east-1';
  process.env.S3_FORCE_PATH_STYLE = 'true';
  process.env.AWS_ACCESS_KEY_ID = accessKey;
  process.env.AWS_SECRET_ACCESS_KEY = secretKey;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS && process.env.S3_ENDPOINT) return;
  if (await hasContainerRuntime()) {
    await startContainers();
    return;
  }
  throw new Error(LOCAL_STACK_HINT);
}

import type { S3StoreOptions } from '@pressline/storage';

/** The real infrastructure the integration specs run against, from the environment global-setup prepared. */
export function s3OptionsFromEnv(): S3StoreOptions {
  const endpoint = process.env.S3_ENDPOINT;
  if (!endpoint) throw new Error('S3_ENDPOINT not set: see libs/testing/src/global-setup.ts');
  return {
    endpoint,
    bucket: process.env.S3_BUCKET ?? 'pressline',
    region: process.env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  };
}

export function kafkaBrokersFromEnv(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS not set: see libs/testing/src/global-setup.ts');
  return brokers.split(',');
}

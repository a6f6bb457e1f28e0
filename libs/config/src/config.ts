import { z } from 'zod';

/**
 * All configuration comes from the environment, validated once at start-up; every bad variable is
 * listed in one message (not the first one only).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ConfigSchema = z.object({
  PRESSLINE_MODE: z.enum(['embedded', 'distributed']).default('embedded'),
  PRESSLINE_DATA_DIR: z.string().default('.pressline-data'),
  PRESSLINE_SERVICE: z.string().default('pressline'),
  KAFKA_BROKERS: z.string().optional(),
  KAFKA_CLIENT_ID: z.string().default('pressline'),
  KAFKA_PARTITIONS: int(1, 256).default(6),
  KAFKA_SESSION_TIMEOUT_MS: int(6000, 3_600_000).default(30000),
  KAFKA_REBALANCE_TIMEOUT_MS: int(6000, 3_600_000).default(60000),
  S3_ENDPOINT: z.string().optional(),
  S3_PUBLIC_ENDPOINT: z.string().optional(),
  S3_BUCKET: z.string().default('pressline'),
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.default(true),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  PRESSLINE_CONCURRENCY: int(1, 64).default(2),
  PRESSLINE_MAX_ATTEMPTS: int(1, 20).default(3),
  PRESSLINE_RETRY_BACKOFF_MS: int(0, 600_000).default(1000),
  PRESSLINE_DRAIN_TIMEOUT_MS: int(0, 3_600_000).default(120_000),
  PRESSLINE_CPU_THREADS: int(0, 64).default(0),
  /** Chaos knob (tests, drills): `step[,step]:milliseconds` holds each job of those steps before it runs. */
  PRESSLINE_CHAOS_DELAY: z
    .string()
    .regex(/^[a-z,]+:\d+$/, 'want step[,step]:milliseconds')
    .optional(),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  PRESSLINE_PUBLIC_URL: z.string().optional(),
  /** tenant:key[:webhookSecret] entries, comma separated. */
  PRESSLINE_API_KEYS: z.string().default('demo:demo-key'),
  PRESSLINE_LINK_SECRET: z.string().min(16).default('pressline-development-link-secret'),
  PRESSLINE_LINK_TTL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
  NODE_ENV: z.string().default('production'),
});

/** Rules across variables, checked on the raw environment so they are reported with the rest. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.PRESSLINE_MODE === 'distributed') {
    if (!env.KAFKA_BROKERS) problems.push('KAFKA_BROKERS: required in distributed mode');
    if (!env.S3_ENDPOINT && !env.AWS_ACCESS_KEY_ID) {
      problems.push('S3_ENDPOINT: required in distributed mode (or AWS credentials for AWS S3)');
    }
  }
  return problems;
}

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof Config, string>> = {},
): Config {
  const merged = { ...env, ...overrides };
  const result = ConfigSchema.safeParse(merged);
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ...crossChecks(merged),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

export interface ApiKey {
  readonly tenantId: string;
  readonly key: string;
  readonly webhookSecret: string;
}

/** `tenant:key[:webhookSecret],...`; the webhook secret defaults to the key. */
export function parseApiKeys(value: string): ApiKey[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [tenantId, key, webhookSecret] = entry.split(':');
      if (!tenantId || !key || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenantId) || key.length < 6) {
        throw new ConfigError([
          `PRESSLINE_API_KEYS: bad entry "${entry.replace(/:.*/, ':***')}" (want tenant:key, key >= 6 chars)`,
        ]);
      }
      return { tenantId, key, webhookSecret: webhookSecret ?? key };
    });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '@pressline/config';

export type AppName = 'gateway' | 'ingest' | 'analysis' | 'mixing' | 'mastering' | 'packaging';
export const ALL_APPS: readonly AppName[] = [
  'gateway',
  'ingest',
  'analysis',
  'mixing',
  'mastering',
  'packaging',
];

/** The repository root, from the sources (jest) as from dist/ (benchmarks). */
export const REPO_ROOT = repoRoot(__dirname);

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/**
 * The distributed line as separate operating-system processes, each one a built service of
 * dist/apps, on the real Kafka broker and S3 server: what the end-to-end specs drive. Logs go
 * to reports/e2e-logs/<name>.log.
 */
export class ProcessLine {
  private readonly processes = new Map<AppName, ChildProcess>();
  private readonly logs = new Map<AppName, WriteStream>();
  readonly apiKeys = 'tenant-a:key-tenant-a:whsec-a,tenant-b:key-tenant-b:whsec-b';
  url = '';

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir = join(REPO_ROOT, 'reports', 'e2e-logs'),
  ) {
    mkdirSync(this.logDir, { recursive: true });
  }

  static async create(extraEnv: Record<string, string> = {}): Promise<ProcessLine> {
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PRESSLINE_MODE: 'distributed',
      KAFKA_BROKERS: required('KAFKA_BROKERS'),
      S3_ENDPOINT: required('S3_ENDPOINT'),
      S3_BUCKET: process.env.S3_BUCKET ?? 'pressline',
      S3_REGION: process.env.S3_REGION ?? 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: required('AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: required('AWS_SECRET_ACCESS_KEY'),
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_REBALANCE_TIMEOUT_MS: '12000',
      PRESSLINE_RETRY_BACKOFF_MS: '200',
      PRESSLINE_CONCURRENCY: '2',
      PRESSLINE_CPU_THREADS: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...extraEnv,
    };
    const line = new ProcessLine(env);
    line.url = `http://127.0.0.1:${port}`;
    line.env.PRESSLINE_API_KEYS = line.apiKeys;
    return line;
  }

  entry(app: AppName): string {
    const file = join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(file)) throw new Error(`${file} missing: build first (npm run build)`);
    return file;
  }

  start(app: AppName, extraEnv: Record<string, string> = {}): ChildProcess {
    const log = this.logs.get(app) ?? createWriteStream(join(this.logDir, `${app}.log`), { flags: 'a' });
    this.logs.set(app, log);
    const child = spawn(process.execPath, [this.entry(app)], {
      env: { ...this.env, ...extraEnv, PRESSLINE_SERVICE: `pressline-${app}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    this.processes.set(app, child);
    return child;
  }

  async startAll(apps: readonly AppName[] = ALL_APPS): Promise<void> {
    for (const app of apps) this.start(app);
    await this.waitReady();
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      const gateway = this.processes.get('gateway');
      if (gateway && gateway.exitCode !== null)
        throw new Error(`gateway exited with ${gateway.exitCode}: see ${this.logDir}/gateway.log`);
      if (Date.now() > deadline) throw new Error('gateway not ready in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  pid(app: AppName): number | undefined {
    return this.processes.get(app)?.pid;
  }

  /** Kills a service; resolves when it is gone. */
  async kill(app: AppName, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.processes.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    const code = await exited;
    this.processes.delete(app);
    return code;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((app) => this.kill(app, 'SIGTERM')));
    for (const log of this.logs.values()) log.end();
    this.logs.clear();
  }

  /** An HTTP call to the gateway as a tenant: JSON in, JSON out. */
  async api<T = unknown>(
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
}

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} not set: the e2e specs need the real stack (libs/testing/src/global-setup.ts)`);
  return v;
}

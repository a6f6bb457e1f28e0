/**
 * End-to-end overhead of the distributed line: the same release through the embedded line (one
 * process, `bin/pressline run`) and through the distributed one (gateway + five services as
 * separate processes on Kafka and S3, warm), plus the per-message latency of the Kafka transport.
 * Needs KAFKA_BROKERS / S3_ENDPOINT (scripts/bench.sh starts the local stack).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@pressline/logging';
import { KafkaBus } from '@pressline/pipeline';
import { ProcessLine, REPO_ROOT } from '@pressline/testing';

interface Submission {
  tracks: Array<{ fileName?: string; stems?: Array<{ fileName: string }> }>;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function brokerLatency(
  messages: number,
): Promise<{ p50Ms: number; p95Ms: number; maxMs: number; messages: number }> {
  const bus = new KafkaBus({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: 'bench-latency',
    partitions: 3,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 12_000,
    drainTimeoutMs: 5_000,
    logger: silentLogger(),
  });
  const topic = `bench.latency.${randomUUID()}`;
  await bus.ensureTopics([topic]);
  const latencies: number[] = [];
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const sub = await bus.subscribe({
    groupId: `bench-${randomUUID()}`,
    topics: [topic],
    concurrency: 3,
    fromBeginning: true,
    handler: async (m) => {
      latencies.push(performance.now() - Number(m.headers.sent));
      if (latencies.length === messages) resolveAll();
    },
  });
  // warm-up: the group's first fetch
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < messages; i++) {
    await bus.publish(topic, [
      { key: `k${i % 12}`, value: 'x', headers: { sent: String(performance.now()) } },
    ]);
    await new Promise((r) => setTimeout(r, 5));
  }
  await all;
  await sub.stop();
  await bus.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50Ms: round(quantile(sorted, 0.5)),
    p95Ms: round(quantile(sorted, 0.95)),
    maxMs: round(sorted[sorted.length - 1]),
    messages,
  };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function pipelineOverhead(options: { seconds: number }): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-overhead-'));
  const pressline = join(REPO_ROOT, 'bin', 'pressline');
  execFileSync(pressline, ['example', join(dir, 'release'), '--seconds', String(options.seconds)], {
    stdio: 'pipe',
  });

  const t0 = performance.now();
  execFileSync(pressline, ['run', join(dir, 'release', 'release.json'), '--out', join(dir, 'out')], {
    stdio: 'pipe',
  });
  const embeddedSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  execFileSync(pressline, ['--help'], { stdio: 'pipe' });
  const cliStartSeconds = (performance.now() - t1) / 1000;

  const line = await ProcessLine.create({ LOG_LEVEL: 'warn' });
  await line.startAll();
  try {
    const submission = JSON.parse(readFileSync(join(dir, 'release', 'release.json'), 'utf8')) as Submission;
    const files = submission.tracks.map((t) =>
      (t.stems ? t.stems.map((s) => s.fileName) : [t.fileName!]).map((f) =>
        readFileSync(join(dir, 'release', f)),
      ),
    );
    // One untimed release first: every service joins its group and warms up.
    await runDistributed(line, submission, files);
    const t2 = performance.now();
    await runDistributed(line, submission, files);
    const distributedSeconds = (performance.now() - t2) / 1000;
    const latency = await brokerLatency(200);
    return {
      release: { tracks: submission.tracks.length, secondsPerTrack: options.seconds },
      embeddedRunSeconds: round(embeddedSeconds, 2),
      embeddedCliStartSeconds: round(cliStartSeconds, 2),
      distributedRunSeconds: round(distributedSeconds, 2),
      distributedOverEmbedded: round(distributedSeconds / embeddedSeconds, 2),
      brokerLatency: latency,
    };
  } finally {
    await line.stopAll();
  }
}

async function runDistributed(line: ProcessLine, submission: Submission, files: Buffer[][]): Promise<void> {
  const key = 'key-tenant-a';
  const created = await line.api<{
    release: { releaseId: string; tracks: Array<{ trackId: string }> };
    uploads: Array<{ trackId: string; index: number; uploadUrl: string | null; apiPath: string }>;
  }>('POST', '/v1/releases', key, submission);
  if (created.status !== 201) throw new Error(`submit: ${created.status} ${JSON.stringify(created.body)}`);
  const { release, uploads } = created.body;
  for (const u of uploads) {
    const track = release.tracks.findIndex((t) => t.trackId === u.trackId);
    const res = await fetch(u.uploadUrl!, { method: 'PUT', body: files[track][u.index] });
    if (!res.ok) throw new Error(`upload: ${res.status}`);
  }
  await line.api('POST', `/v1/releases/${release.releaseId}/start`, key);
  for (;;) {
    const view = await line.api<{ state: string }>('GET', `/v1/releases/${release.releaseId}`, key);
    if (['completed', 'completed-with-failures', 'failed'].includes(view.body.state)) {
      if (view.body.state !== 'completed') throw new Error(`release ended ${view.body.state}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

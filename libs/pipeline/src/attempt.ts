import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, type DeliveryContext } from './bus';

export class StoppingError extends Error {
  constructor() {
    super('worker is stopping: the message stays uncommitted and will be redelivered');
    this.name = 'StoppingError';
  }
}

/**
 * Runs one attempt of a job in a fresh work folder while heartbeating the broker (so that a long
 * job does not lose its partition); removes the folder afterwards, whatever happened.
 */
export async function inAttemptScope<T>(
  prefix: string,
  delivery: DeliveryContext,
  heartbeatIntervalMs: number,
  run: (workDir: string) => Promise<T>,
): Promise<T> {
  const workDir = await mkdtemp(join(tmpdir(), `pressline-${prefix}-`));
  const heartbeat = setInterval(() => {
    delivery.heartbeat().catch(() => undefined);
  }, heartbeatIntervalMs);
  try {
    return await run(workDir);
  } finally {
    clearInterval(heartbeat);
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Waits before the next attempt (exponential backoff from `baseMs`). A worker that is stopping
 * does not wait: it throws, so that the message stays uncommitted for the next owner.
 */
export async function backoffBeforeRetry(
  delivery: DeliveryContext,
  baseMs: number,
  attempt: number,
): Promise<void> {
  if (delivery.signal.aborted) throw new StoppingError();
  await sleep(baseMs * 2 ** (attempt - 1), delivery.signal);
  if (delivery.signal.aborted) throw new StoppingError();
}

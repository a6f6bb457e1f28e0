import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Blocks posted and not yet processed, at most: memory stays bounded when a worker lags. */
const MAX_IN_FLIGHT = 6;

/**
 * The main-thread end of a worker that consumes audio blocks: `init`, then `block`s (each
 * acknowledged, for flow control), then `finish` which answers with the result. The worker
 * module is compiled JavaScript; where it is missing (TypeScript sources under jest) `available`
 * is false and the caller computes in its own thread.
 */
export class BlockWorker<TInit, TFinish, TResult, TAnswer = never> {
  private worker: Worker | null = null;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private result: { value: TResult } | null = null;
  private answer: { value: TAnswer } | null = null;
  /** Block buffers the worker handed back: reused, so a pass allocates a few blocks, whatever its length. */
  private readonly pool: Float32Array[][] = [];
  private failure: Error | null = null;

  constructor(file: string) {
    if (!existsSync(file)) return;
    this.worker = new Worker(file);
    this.worker.on(
      'message',
      (
        m:
          | { type: 'ack'; channels: Float32Array[] }
          | { type: 'answer'; answer: TAnswer }
          | { type: 'result'; result: TResult },
      ) => {
        if (m.type === 'ack') {
          this.inFlight--;
          this.pool.push(m.channels.map((c) => new Float32Array(c.buffer)));
        } else if (m.type === 'answer') this.answer = { value: m.answer };
        else this.result = { value: m.result };
        this.wake();
      },
    );
    this.worker.on('error', (e: Error) => {
      this.failure = e;
      this.wake();
    });
  }

  get available(): boolean {
    return this.worker !== null;
  }

  init(data: TInit): void {
    this.worker!.postMessage({ type: 'init', data });
  }

  /**
   * Hands the worker its own copy of a block. The copy's memory moves to the worker (it is not
   * copied again) and comes back with the acknowledgement, to carry a later block.
   */
  post(block: readonly Float32Array[]): void {
    const frames = block[0]?.length ?? 0;
    const recycled = this.pool.pop();
    const channels = block.map((c, i) => {
      const buffer =
        recycled && recycled[i] && recycled[i].length >= frames
          ? recycled[i]
          : new Float32Array(Math.max(frames, 1));
      buffer.set(c);
      return buffer.length === frames ? buffer : buffer.subarray(0, frames);
    });
    this.inFlight++;
    this.worker!.postMessage(
      { type: 'block', channels },
      channels.map((c) => c.buffer as ArrayBuffer),
    );
  }

  async throttle(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) await this.wait();
    if (this.failure) throw this.failure;
  }

  /**
   * Asks the worker for an intermediate result once every block posted so far is processed (the
   * worker handles messages in order); the worker goes on to `finish` afterwards.
   */
  async query(): Promise<TAnswer> {
    this.answer = null;
    this.worker!.postMessage({ type: 'query' });
    while (!this.answer && !this.failure) await this.wait();
    if (this.failure) throw this.failure;
    return this.answer!.value;
  }

  async finish(arg: TFinish): Promise<TResult> {
    this.worker!.postMessage({ type: 'finish', arg });
    while (!this.result && !this.failure) await this.wait();
    if (this.failure) throw this.failure;
    return this.result!.value;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

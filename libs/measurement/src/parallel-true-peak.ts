import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TruePeakMeter, type TruePeakOvers, type TruePeakSink } from '@pressline/dsp';

const WORKER_FILE = join(__dirname, 'true-peak.worker.js');
/** Blocks posted and not yet measured, at most: memory stays bounded when the worker lags. */
const MAX_IN_FLIGHT = 6;

interface Results {
  truePeaks: Float64Array;
  samplePeaks: Float64Array;
  overs: TruePeakOvers[];
}

/**
 * True peak (the most expensive part of BS.1770 metering) measured in a worker thread, in
 * parallel with the K-weighting, gating and QC of the main thread: the same TruePeakMeter, the
 * same blocks (copied), the same results. Where the compiled worker is missing (TypeScript
 * sources under jest) it measures in this thread instead.
 */
export class ParallelTruePeak implements TruePeakSink {
  private worker: Worker | null = null;
  private local: TruePeakMeter | null = null;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private results: Results | null = null;
  private failure: Error | null = null;

  /** Starts the worker early (it loads while the file is being probed). */
  constructor() {
    if (!existsSync(WORKER_FILE)) return;
    this.worker = new Worker(WORKER_FILE);
    this.worker.on('message', (m: { type: 'ack' } | ({ type: 'result' } & Results)) => {
      if (m.type === 'ack') {
        this.inFlight--;
        this.wake();
      } else {
        this.results = m;
        this.wake();
      }
    });
    this.worker.on('error', (e: Error) => {
      this.failure = e;
      this.wake();
    });
  }

  get threaded(): boolean {
    return this.worker !== null;
  }

  init(sampleRate: number, channels: number): void {
    if (this.worker) this.worker.postMessage({ type: 'init', sampleRate, channels });
    else this.local = new TruePeakMeter({ sampleRate, channels });
  }

  process(block: readonly Float32Array[]): void {
    if (this.local) return this.local.process(block);
    this.inFlight++;
    // Copies: the main thread keeps measuring the same arrays.
    this.worker!.postMessage({ type: 'block', channels: block.map((c) => c.slice()) });
  }

  /** Waits while too many blocks are queued for the worker. */
  async throttle(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure)
      await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Waits for the worker's results; call before reading them. */
  async finish(): Promise<void> {
    if (!this.worker) return;
    this.worker.postMessage({ type: 'finish' });
    while (!this.results && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    await this.worker.terminate();
    this.worker = null;
    if (this.failure) throw this.failure;
  }

  /** Stops the worker without results (the pass failed or was abandoned). */
  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private done(): Results {
    if (this.local)
      return {
        truePeaks: this.local.truePeaks(),
        samplePeaks: this.local.samplePeaks(),
        overs: this.local.oversPerChannel(),
      };
    if (!this.results) throw new Error('true-peak results read before finish()');
    return this.results;
  }

  truePeaks(): Float64Array {
    return this.done().truePeaks;
  }

  samplePeaks(): Float64Array {
    return this.done().samplePeaks;
  }

  oversPerChannel(): TruePeakOvers[] {
    return this.done().overs;
  }

  reset(): void {
    throw new Error('ParallelTruePeak measures one pass; make a new one');
  }
}

import { parentPort } from 'node:worker_threads';

/** The worker end of BlockWorker: wires a consumer of blocks to the message protocol. */
export function serveBlockWorker<TInit, TFinish, TResult, TAnswer = never>(
  make: (init: TInit) => {
    process(block: Float32Array[]): void;
    /** An intermediate result (BlockWorker.query), after the blocks so far. */
    query?(): TAnswer;
    finish(arg: TFinish): TResult;
  },
): void {
  let consumer: ReturnType<typeof make> | null = null;
  parentPort?.on(
    'message',
    (
      m:
        | { type: 'init'; data: TInit }
        | { type: 'block'; channels: Float32Array[] }
        | { type: 'query' }
        | { type: 'finish'; arg: TFinish },
    ) => {
      switch (m.type) {
        case 'init':
          consumer = make(m.data);
          break;
        case 'block':
          consumer!.process(m.channels);
          // The buffers go back to the main thread, which reuses them for later blocks.
          parentPort!.postMessage(
            { type: 'ack', channels: m.channels },
            m.channels.map((c) => c.buffer as ArrayBuffer),
          );
          break;
        case 'query':
          parentPort!.postMessage({ type: 'answer', answer: consumer!.query!() });
          break;
        case 'finish':
          parentPort!.postMessage({ type: 'result', result: consumer!.finish(m.arg) });
          break;
      }
    },
  );
}

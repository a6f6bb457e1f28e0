import { parentPort } from 'node:worker_threads';
import { TruePeakMeter } from '@pressline/dsp';

/**
 * Worker-thread side of ParallelTruePeak: one TruePeakMeter fed the blocks the main thread
 * posts; answers each block with an acknowledgement (flow control) and `finish` with the results.
 */
type Message =
  | { type: 'init'; sampleRate: number; channels: number }
  | { type: 'block'; channels: Float32Array[] }
  | { type: 'finish' };

let meter: TruePeakMeter | null = null;

parentPort?.on('message', (m: Message) => {
  switch (m.type) {
    case 'init':
      meter = new TruePeakMeter({ sampleRate: m.sampleRate, channels: m.channels });
      break;
    case 'block':
      meter!.process(m.channels);
      parentPort!.postMessage({ type: 'ack' });
      break;
    case 'finish':
      parentPort!.postMessage({
        type: 'result',
        truePeaks: meter!.truePeaks(),
        samplePeaks: meter!.samplePeaks(),
        overs: meter!.oversPerChannel(),
      });
      break;
  }
});

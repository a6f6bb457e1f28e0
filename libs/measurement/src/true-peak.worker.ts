import { TruePeakMeter } from '@pressline/dsp';
import { truePeakResults, type TruePeakResults } from './analysers';
import { serveBlockWorker } from './serve-block-worker';

/** True peak (BS.1770-5 Annex 2) of the blocks the main thread posts. */
serveBlockWorker<{ sampleRate: number; channels: number }, null, TruePeakResults>((init) => {
  const meter = new TruePeakMeter(init);
  return { process: (block) => meter.process(block), finish: () => truePeakResults(meter) };
});

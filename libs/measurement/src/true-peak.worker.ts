import type { QcFigures } from '@pressline/dsp';
import {
  PartialTruePeak,
  SeparateQc,
  truePeakHalves,
  type QcHandOver,
  type QcInit,
  type TruePeakResults,
} from './analysers';
import { serveBlockWorker } from './serve-block-worker';

/**
 * QC and the true peak (BS.1770-5 Annex 2) of the second half of the channels of the blocks the
 * main thread posts: that true peak is asked for first (query: the meter needs it), QC's figures
 * at the end, with the meter's figures.
 */
serveBlockWorker<QcInit, QcHandOver, QcFigures, TruePeakResults>((init) => {
  const truePeak = new PartialTruePeak(init.sampleRate, truePeakHalves(init.channels)[1]);
  const qc = new SeparateQc(init);
  return {
    process: (block) => {
      truePeak.process(block);
      qc.process(block);
    },
    query: () => truePeak.results(),
    finish: (handOver) => qc.figures(handOver),
  };
});

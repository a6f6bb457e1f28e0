import {
  Analysers,
  SplitTruePeak,
  truePeakHalves,
  type AnalyserResults,
  type AnalysersInit,
  type TruePeakResults,
} from './analysers';
import { serveBlockWorker } from './serve-block-worker';

/**
 * Meter, rhythm and key of the blocks the main thread posts, and the true peak of the first half
 * of the channels; the second half's true peak is handed over at the end.
 */
serveBlockWorker<AnalysersInit, TruePeakResults, AnalyserResults>((init) => {
  const truePeak = new SplitTruePeak(init.sampleRate, truePeakHalves(init.channels)[0]);
  const analysers = new Analysers(init, truePeak);
  return {
    process: (block) => analysers.process(block),
    finish: (others) => {
      truePeak.complete(others);
      return analysers.results();
    },
  };
});

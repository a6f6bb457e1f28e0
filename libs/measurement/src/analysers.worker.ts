import {
  Analysers,
  HandedOverTruePeak,
  type AnalyserResults,
  type AnalysersInit,
  type TruePeakResults,
} from './analysers';
import { serveBlockWorker } from './serve-block-worker';

/** Meter, QC, rhythm and key of the blocks the main thread posts; true peak is handed over at the end. */
serveBlockWorker<AnalysersInit, TruePeakResults, AnalyserResults>((init) => {
  const truePeak = new HandedOverTruePeak();
  const analysers = new Analysers(init, truePeak);
  return {
    process: (block) => analysers.process(block),
    finish: (tp) => {
      truePeak.set(tp);
      return analysers.results();
    },
  };
});

import {
  KeyAnalyzer,
  LoudnessMeter,
  QcAnalyzer,
  RhythmAnalyzer,
  TruePeakMeter,
  type KeyResult,
  type LoudnessResult,
  type QcFigures,
  type RhythmResult,
  type TruePeakOvers,
  type TruePeakSink,
} from '@pressline/dsp';

export type MeasureName = 'loudness' | 'rhythm' | 'key';

/** What the analysers of one pass need to know (plain data: it crosses thread boundaries). */
export interface AnalysersInit {
  readonly sampleRate: number;
  readonly channels: number;
  readonly series: boolean;
  readonly measures: readonly MeasureName[];
  readonly bpmRange?: readonly [number, number];
  /** Duration the container declares, when known (sizes the rhythm and key feature buffers). */
  readonly expectedSeconds?: number;
  /** Bits per sample of the container, for the bit-depth finding. */
  readonly declaredBitDepth?: number;
}

export interface TruePeakResults {
  readonly truePeaks: Float64Array;
  readonly samplePeaks: Float64Array;
  readonly overs: TruePeakOvers[];
}

export interface AnalyserResults {
  readonly loudness: LoudnessResult;
  readonly figures: QcFigures;
  readonly rhythm: RhythmResult | null;
  readonly key: KeyResult | null;
}

export function truePeakResults(meter: TruePeakMeter): TruePeakResults {
  return { truePeaks: meter.truePeaks(), samplePeaks: meter.samplePeaks(), overs: meter.oversPerChannel() };
}

/** A true-peak sink whose results are measured elsewhere (another thread) and handed over at the end. */
export class HandedOverTruePeak implements TruePeakSink {
  private results: TruePeakResults | null = null;
  process(): void {}
  set(results: TruePeakResults): void {
    this.results = results;
  }
  private get(): TruePeakResults {
    if (!this.results) throw new Error('true-peak results not handed over yet');
    return this.results;
  }
  truePeaks(): Float64Array {
    return this.get().truePeaks;
  }
  samplePeaks(): Float64Array {
    return this.get().samplePeaks;
  }
  oversPerChannel(): TruePeakOvers[] {
    return this.get().overs;
  }
  reset(): void {
    this.results = null;
  }
}

/**
 * Every analyser of the pass but true peak, fed the same blocks: the BS.1770 meter (K-weighting,
 * gating, LRA), QC, rhythm and key. True peak comes from the sink given (in this thread or not).
 */
export class Analysers {
  private readonly meter: LoudnessMeter;
  private readonly qc: QcAnalyzer;
  private readonly rhythm: RhythmAnalyzer | null;
  private readonly keys: KeyAnalyzer | null;

  constructor(init: AnalysersInit, truePeak: TruePeakSink) {
    const { sampleRate, channels } = init;
    this.meter = new LoudnessMeter({ sampleRate, channels, series: init.series, truePeak });
    this.qc = new QcAnalyzer({
      sampleRate,
      channels,
      meter: this.meter,
      declaredBitDepth: init.declaredBitDepth,
    });
    this.rhythm = init.measures.includes('rhythm')
      ? new RhythmAnalyzer({ sampleRate, bpmRange: init.bpmRange, expectedSeconds: init.expectedSeconds })
      : null;
    this.keys = init.measures.includes('key')
      ? new KeyAnalyzer({ sampleRate, expectedSeconds: init.expectedSeconds })
      : null;
  }

  process(block: readonly Float32Array[]): void {
    this.meter.process(block);
    this.qc.process(block);
    this.rhythm?.process(block);
    this.keys?.process(block);
  }

  results(): AnalyserResults {
    return {
      loudness: this.meter.result(),
      figures: this.qc.result(),
      rhythm: this.rhythm?.result() ?? null,
      key: this.keys?.result() ?? null,
    };
  }
}

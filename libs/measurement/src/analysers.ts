import {
  KeyAnalyzer,
  LoudnessMeter,
  QcAnalyzer,
  RhythmAnalyzer,
  TruePeakMeter,
  type KeyResult,
  type LoudnessResult,
  type QcFigures,
  type QcLoudnessSource,
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
  /** QC runs in another thread (SeparateQc), not with the meter. */
  readonly qcElsewhere?: boolean;
}

/** The meter's figures that QC reads, for a QC running in another thread than the meter. */
export interface MeterFiguresForQc {
  readonly integratedLufs: number | null;
  readonly monoFoldDownLufs: number | null;
}

export interface TruePeakResults {
  readonly truePeaks: Float64Array;
  readonly samplePeaks: Float64Array;
  readonly overs: TruePeakOvers[];
}

export interface AnalyserResults {
  readonly loudness: LoudnessResult;
  /** null when QC ran elsewhere (qcElsewhere). */
  readonly figures: QcFigures | null;
  /** What a QC running elsewhere needs from this thread. */
  readonly qcHandOver: QcHandOver;
  readonly rhythm: RhythmResult | null;
  readonly key: KeyResult | null;
}

export function truePeakResults(meter: TruePeakMeter): TruePeakResults {
  return { truePeaks: meter.truePeaks(), samplePeaks: meter.samplePeaks(), overs: meter.oversPerChannel() };
}

/** The channels [from, to) of every block: the true peak of a pass is split over two threads. */
export interface ChannelRange {
  readonly from: number;
  readonly to: number;
}

/** The two halves of `channels` (a mono pass keeps its one channel in the first). */
export function truePeakHalves(channels: number): [ChannelRange, ChannelRange] {
  const half = Math.ceil(channels / 2);
  return [
    { from: 0, to: half },
    { from: half, to: channels },
  ];
}

/** True peak of the channels in `range` (none when it is empty). */
export class PartialTruePeak {
  private readonly meter: TruePeakMeter | null;

  constructor(
    sampleRate: number,
    private readonly range: ChannelRange,
  ) {
    const n = range.to - range.from;
    this.meter = n > 0 ? new TruePeakMeter({ sampleRate, channels: n }) : null;
  }

  process(block: readonly Float32Array[]): void {
    this.meter?.process(block.slice(this.range.from, this.range.to));
  }

  results(): TruePeakResults {
    return this.meter
      ? truePeakResults(this.meter)
      : { truePeaks: new Float64Array(0), samplePeaks: new Float64Array(0), overs: [] };
  }
}

function concatenated(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The meter's true-peak sink in the analysers thread: it measures the first half of the channels
 * itself, the other thread the second half, handed over at the end (`complete`).
 */
export class SplitTruePeak implements TruePeakSink {
  private readonly own: PartialTruePeak;
  private joined: TruePeakResults | null = null;

  constructor(sampleRate: number, ownRange: ChannelRange) {
    this.own = new PartialTruePeak(sampleRate, ownRange);
  }

  process(block: readonly Float32Array[]): void {
    this.own.process(block);
  }

  /** Joins this thread's channels with the other thread's (which follow them). */
  complete(others: TruePeakResults): void {
    const mine = this.own.results();
    this.joined = {
      truePeaks: concatenated(mine.truePeaks, others.truePeaks),
      samplePeaks: concatenated(mine.samplePeaks, others.samplePeaks),
      overs: [...mine.overs, ...others.overs],
    };
  }

  private get(): TruePeakResults {
    if (!this.joined) throw new Error("the other channels' true peak was not handed over yet");
    return this.joined;
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
    this.joined = null;
  }
}

/**
 * The analysers of the pass fed the same blocks: the BS.1770 meter (K-weighting, gating, LRA), QC
 * (unless it runs elsewhere), rhythm and key. True peak comes from the sink given: a meter of
 * every channel in this thread, or SplitTruePeak.
 */
export class Analysers {
  private readonly meter: LoudnessMeter;
  private readonly qc: QcAnalyzer | null;
  private readonly rhythm: RhythmAnalyzer | null;
  private readonly keys: KeyAnalyzer | null;

  constructor(init: AnalysersInit, truePeak: TruePeakSink) {
    const { sampleRate, channels } = init;
    this.meter = new LoudnessMeter({ sampleRate, channels, series: init.series, truePeak });
    this.qc = init.qcElsewhere
      ? null
      : new QcAnalyzer({ sampleRate, channels, meter: this.meter, declaredBitDepth: init.declaredBitDepth });
    this.rhythm = init.measures.includes('rhythm')
      ? new RhythmAnalyzer({ sampleRate, bpmRange: init.bpmRange, expectedSeconds: init.expectedSeconds })
      : null;
    this.keys = init.measures.includes('key') ? new KeyAnalyzer({ sampleRate }) : null;
  }

  process(block: readonly Float32Array[]): void {
    this.meter.process(block);
    this.qc?.process(block);
    this.rhythm?.process(block);
    this.keys?.process(block);
  }

  results(): AnalyserResults {
    const loudness = this.meter.result();
    return {
      loudness,
      figures: this.qc?.result() ?? null,
      qcHandOver: {
        meter: { integratedLufs: loudness.integratedLufs, monoFoldDownLufs: this.meter.monoFoldDownLufs() },
        overs: this.meter.interSampleOvers(),
      },
      rhythm: this.rhythm?.result() ?? null,
      key: this.keys?.result() ?? null,
    };
  }
}

/** The meter's figures for a QcAnalyzer in another thread, handed over before its result(). */
export class HandedOverLoudness implements QcLoudnessSource {
  private figures: QcHandOver | null = null;
  constructor(
    readonly sampleRate: number,
    readonly channels: number,
  ) {}
  set(figures: QcHandOver): void {
    this.figures = figures;
  }
  private get(): QcHandOver {
    if (!this.figures) throw new Error('loudness figures not handed over yet');
    return this.figures;
  }
  result(): { integratedLufs: number | null } {
    return { integratedLufs: this.get().meter.integratedLufs };
  }
  monoFoldDownLufs(): number | null {
    return this.get().meter.monoFoldDownLufs;
  }
  interSampleOvers(): TruePeakOvers[] {
    return this.get().overs;
  }
}

export interface QcInit {
  readonly sampleRate: number;
  readonly channels: number;
  readonly declaredBitDepth?: number;
}

/** What a QC running on its own needs at the end: the meter's figures and the true-peak overs. */
export interface QcHandOver {
  readonly meter: MeterFiguresForQc;
  readonly overs: TruePeakOvers[];
}

/** QC on its own (its own thread): the few figures it reads from the meter come at the end. */
export class SeparateQc {
  private readonly loudness: HandedOverLoudness;
  private readonly qc: QcAnalyzer;

  constructor(init: QcInit) {
    const { sampleRate, channels } = init;
    this.loudness = new HandedOverLoudness(sampleRate, channels);
    this.qc = new QcAnalyzer({
      sampleRate,
      channels,
      meter: this.loudness,
      declaredBitDepth: init.declaredBitDepth,
    });
  }

  process(block: readonly Float32Array[]): void {
    this.qc.process(block);
  }

  figures(handOver: QcHandOver): QcFigures {
    this.loudness.set(handOver);
    return this.qc.result();
  }
}

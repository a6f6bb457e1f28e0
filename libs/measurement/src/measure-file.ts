import { join } from 'node:path';
import {
  Analysers,
  type AnalyserResults,
  type AnalysersInit,
  type MeasureName,
  type QcHandOver,
  type QcInit,
  type TruePeakResults,
} from './analysers';
import { BlockWorker } from './block-worker';
import {
  AudioError,
  decode,
  describeFormat,
  isAudioError,
  probe as probeFile,
  readPcmHeader,
  type DecodeReport,
  type ProbeResult,
} from '@pressline/audio';
import {
  QC_SAMPLE_RATES,
  qcFindings,
  TruePeakMeter,
  type ChannelPeaks,
  type KeyEstimate,
  type QcFigures,
  type QcFinding,
  type QcSeverity,
  type TempoEstimate,
  type TimeSignature,
} from '@pressline/dsp';

/**
 * What `pressline analyze` prints and what the stages record of a file. The field names are a
 * public interface (other tools read them): add fields, never rename one.
 */
export interface FileMeasurement {
  /** The path as given. */
  file: string;
  format: {
    sampleRate: number;
    channels: number;
    /** Significant bits of lossless PCM; null for lossy codecs. */
    bitDepth: number | null;
    durationSeconds: number;
    codec: string;
    container: string;
    channelLayout: string | null;
    lossless: boolean;
    /** e.g. "WAV PCM 24-bit, 96 kHz, stereo, 3:30.000" */
    description: string;
  };
  loudness: {
    integratedLufs: number | null;
    loudnessRangeLu: number | null;
    momentaryMaxLufs: number | null;
    shortTermMaxLufs: number | null;
    truePeakDbtp: number | null;
    samplePeakDbfs: number | null;
    channels: ChannelPeaks[];
    momentarySeries?: (number | null)[];
    shortTermSeries?: (number | null)[];
  };
  qc: {
    /** The worst severity of the findings. */
    status: QcSeverity;
    findings: QcFinding[];
    figures: QcFigures;
  };
  /** With the "rhythm" measure. Beat and downbeat times in seconds. */
  tempo?: TempoEstimate;
  beats?: number[];
  downbeats?: number[];
  beatsPerBar?: number;
  timeSignature?: TimeSignature;
  /** With the "key" measure. */
  key?: KeyEstimate;
  /** Estimated reference frequency of A4, Hz. */
  tuningHz?: number;
  decode: {
    frames: number;
    declaredFrames: number | null;
    truncated: boolean;
    decodeErrorCount: number;
    decodeErrors: string[];
    nonFiniteSamples: number;
    clean: boolean;
  };
}

/** What a pass measures: loudness (BS.1770 meter, true peak, QC), rhythm (tempo, beats, metre), key (key, tuning). */
export type { MeasureName } from './analysers';
export const ALL_MEASURES: readonly MeasureName[] = Object.freeze(['loudness', 'rhythm', 'key']);

export interface MeasureOptions {
  /** Default: all of them. Loudness is always measured (QC and the format depend on the pass). */
  readonly measures?: readonly MeasureName[];
  /** Tempo prior for the rhythm measure, BPM. */
  readonly bpmRange?: readonly [number, number];
  /** Add the 10 Hz momentary and short-term series. */
  readonly series?: boolean;
  /** A probe of the file already made (saves starting ffprobe again). */
  readonly probe?: ProbeResult;
  readonly signal?: AbortSignal;
  /** Called with the fraction done, about every block. */
  readonly onProgress?: (fraction: number) => void;
}

/** Bits per sample of the container (what the bit-depth finding compares with), for lossless PCM. */
function containerBits(probe: ProbeResult): number | undefined {
  const a = probe.audio;
  if (!a.lossless) return undefined;
  const bits = a.bitsPerSample && a.bitsPerSample >= 8 ? a.bitsPerSample : a.bitDepth;
  return bits && bits >= 8 && bits <= 64 ? bits : undefined;
}

const SEVERITY_ORDER: Record<QcSeverity, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * One streaming pass over a file: decode in blocks and feed every analyser the same block
 * (loudness per BS.1770-5 / EBU R128, true peak, QC, rhythm, key). Memory stays bounded whatever
 * the duration. With the compiled worker modules the work is spread over threads: this thread
 * reads the file, one worker runs the meter, rhythm, key and the true peak of the first half of
 * the channels, the other QC and the true peak of the second half (the two cost about the same
 * whatever the material; QC reads its few meter figures at the end); without them (TypeScript
 * sources under jest) all runs here.
 * Throws the libs/audio AudioError when the file cannot be read, and ('unsupported') when its
 * sample rate is outside QC_SAMPLE_RATES.
 */
export async function measureFile(file: string, options: MeasureOptions = {}): Promise<FileMeasurement> {
  // Started first: the workers load their modules while ffprobe runs.
  const analysersWorker: Workers['analysersWorker'] = new BlockWorker(join(__dirname, 'analysers.worker.js'));
  const truePeakWorker: Workers['truePeakWorker'] = new BlockWorker(join(__dirname, 'true-peak.worker.js'));
  try {
    return await measureWith(
      file,
      options,
      analysersWorker.available && truePeakWorker.available ? { analysersWorker, truePeakWorker } : null,
    );
  } finally {
    await Promise.all([analysersWorker.close(), truePeakWorker.close()]);
  }
}

interface Workers {
  analysersWorker: BlockWorker<AnalysersInit, TruePeakResults, AnalyserResults>;
  /** QC and half of the true peak; that true peak is queried before QC finishes. */
  truePeakWorker: BlockWorker<QcInit, QcHandOver, QcFigures, TruePeakResults>;
}

async function measureWith(
  file: string,
  options: MeasureOptions,
  workers: Workers | null,
): Promise<FileMeasurement> {
  // A PCM WAV is read directly: the pass starts from its header, and ffprobe (for the format
  // description) runs alongside instead of before it.
  const header = options.probe ? null : await readPcmHeader(file).catch(() => null);
  // Every consumer is done with a block (or has its own copy) before the next one is read.
  const stream = decode(file, {
    probe: options.probe,
    pcmHeader: header,
    signal: options.signal,
    reuseBlocks: true,
  });
  const format = await stream.open();
  // Refused before any analyser is made (QC's own range check would throw a bare RangeError);
  // nothing is running yet: the decoder starts on iteration.
  const [minRate, maxRate] = QC_SAMPLE_RATES;
  if (!(format.sampleRate >= minRate && format.sampleRate <= maxRate)) {
    throw new AudioError(
      'unsupported',
      `sample rate ${format.sampleRate} Hz: measured are ${minRate}-${maxRate} Hz`,
      { file },
    );
  }
  const probing = format.probe ? Promise.resolve(format.probe) : probeFile(file, { signal: options.signal });
  probing.catch(() => undefined); // awaited after the pass, which reports its failure then
  const early = format.probe;
  const expected = early
    ? (early.declaredFrames ??
      (early.audio.durationSeconds ? early.audio.durationSeconds * format.sampleRate : null))
    : format.header!.declaredFrames;
  const init: AnalysersInit = {
    sampleRate: format.sampleRate,
    channels: format.channels,
    series: options.series ?? false,
    measures: options.measures ?? ALL_MEASURES,
    bpmRange: options.bpmRange,
    expectedSeconds: expected ? expected / format.sampleRate : undefined,
    declaredBitDepth: early ? containerBits(early) : format.header!.bitsPerSample,
  };
  let frames = 0;
  let results: AnalyserResults;
  let figures: QcFigures;
  if (workers) {
    workers.analysersWorker.init({ ...init, qcElsewhere: true });
    workers.truePeakWorker.init({
      sampleRate: format.sampleRate,
      channels: format.channels,
      declaredBitDepth: init.declaredBitDepth,
    });
    for await (const block of stream) {
      workers.analysersWorker.post(block.channels);
      workers.truePeakWorker.post(block.channels);
      await workers.analysersWorker.throttle();
      await workers.truePeakWorker.throttle();
      frames += block.frames;
      if (options.onProgress && expected) options.onProgress(Math.min(1, frames / expected));
    }
    const truePeakOfSecondHalf = await workers.truePeakWorker.query();
    results = await workers.analysersWorker.finish(truePeakOfSecondHalf);
    figures = await workers.truePeakWorker.finish(results.qcHandOver);
  } else {
    const analysers = new Analysers(
      init,
      new TruePeakMeter({ sampleRate: format.sampleRate, channels: format.channels }),
    );
    for await (const block of stream) {
      analysers.process(block.channels);
      frames += block.frames;
      if (options.onProgress && expected) options.onProgress(Math.min(1, frames / expected));
    }
    results = analysers.results();
    figures = results.figures!;
  }
  const report = stream.report as DecodeReport;
  const probe = await probing;
  const loudness = results.loudness;
  const findings = qcFindings(figures);
  const status = findings.reduce<QcSeverity>(
    (worst, f) => (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[worst] ? f.severity : worst),
    'pass',
  );
  const a = probe.audio;
  const r = results.rhythm;
  const k = results.key;
  return {
    file,
    format: {
      sampleRate: format.sampleRate,
      channels: format.channels,
      bitDepth: a.bitDepth,
      durationSeconds: report.durationSeconds,
      codec: a.codecName,
      container: probe.container.formatName,
      channelLayout: a.channelLayout,
      lossless: a.lossless,
      description: describeFormat({
        container: probe.container,
        audio: { ...a, durationSeconds: report.durationSeconds },
      }),
    },
    loudness: {
      integratedLufs: loudness.integratedLufs,
      loudnessRangeLu: loudness.loudnessRangeLu,
      momentaryMaxLufs: loudness.momentaryMaxLufs,
      shortTermMaxLufs: loudness.shortTermMaxLufs,
      truePeakDbtp: loudness.truePeakDbtp,
      samplePeakDbfs: loudness.samplePeakDbfs,
      channels: loudness.channels,
      ...(options.series
        ? { momentarySeries: loudness.momentarySeries, shortTermSeries: loudness.shortTermSeries }
        : {}),
    },
    qc: { status, findings, figures },
    ...(r
      ? {
          tempo: r.tempo,
          beats: r.beats,
          downbeats: r.downbeats,
          beatsPerBar: r.beatsPerBar,
          timeSignature: r.timeSignature,
        }
      : {}),
    ...(k ? { key: k.key, tuningHz: k.tuningHz } : {}),
    decode: {
      frames: report.frames,
      declaredFrames: report.declaredFrames,
      truncated: report.truncated,
      decodeErrorCount: report.decodeErrorCount,
      decodeErrors: [...report.decodeErrors],
      nonFiniteSamples: report.nonFiniteSamples,
      clean: report.clean,
    },
  };
}

/** An AudioError as plain data: what crosses a worker-thread boundary intact. */
export interface MeasureFailure {
  code: string;
  message: string;
  stderrTail?: string;
  retryable: boolean;
}

export type MeasureOutcome =
  { ok: true; measurement: FileMeasurement } | { ok: false; error: MeasureFailure };

/** measureFile, with expected failures as values (worker threads clone errors without their fields). */
export async function tryMeasureFile(file: string, options: MeasureOptions = {}): Promise<MeasureOutcome> {
  try {
    return { ok: true, measurement: await measureFile(file, options) };
  } catch (e) {
    if (isAudioError(e))
      return {
        ok: false,
        error: { code: e.code, message: e.message, stderrTail: e.stderrTail, retryable: e.retryable },
      };
    throw e;
  }
}

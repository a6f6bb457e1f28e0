import { extname, join } from 'node:path';
import {
  describeFormat,
  isAudioError,
  planCanonicalCopy,
  probe,
  transcode,
  type AudioError,
  type ProbeResult,
} from '@pressline/audio';
import { MEASURE_TASK, type FileMeasurement, type MeasureOutcome } from '@pressline/measurement';
import { isValidIsrc, isValidUpc, type ErrorCode } from '@pressline/contracts';
import { StageError, type StageContext, type StageDefinition, type StageResult } from '@pressline/pipeline';
import { putJson, safeFileName } from '@pressline/storage';
import { DEFAULT_INGEST_RULES, type IngestRules } from './ingest.rules';

/** How a libs/audio failure reads to the person who uploaded the file. */
function refusal(e: AudioError, fileName: string): StageError {
  const detail = e.message;
  const map: Partial<Record<AudioError['code'], [ErrorCode, string]>> = {
    empty: ['empty-file', `"${fileName}" is empty (0 bytes)`],
    'not-audio': ['not-audio', `"${fileName}" is not audio: ${detail}`],
    corrupt: ['truncated-or-corrupt', `"${fileName}" looks like audio but cannot be read: ${detail}`],
    unsupported: ['unsupported-format', `"${fileName}" uses a format Pressline does not read: ${detail}`],
  };
  const hit = map[e.code];
  if (hit) return new StageError(hit[0], hit[1], { cause: e });
  return new StageError(
    e.retryable ? 'transient' : 'processing-failed',
    `reading "${fileName}" failed: ${detail}`,
    {
      retryable: e.retryable,
      cause: e,
    },
  );
}

export interface IngestedSource {
  readonly index: number;
  readonly name: string;
  readonly fileName: string;
  readonly canonicalKey: string;
  readonly canonical: string;
  readonly format: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitDepth: number | null;
  readonly codec: string;
  readonly durationSeconds: number;
  readonly sha256: string;
  /** What ffprobe (and the WAV/AIFF header) says of the upload. */
  readonly probe: ProbeResult;
  /** Loudness and QC of the upload, from the same pass that checked it decodes. */
  readonly measurement: Pick<FileMeasurement, 'loudness' | 'qc' | 'decode'>;
}

/**
 * Ingest: refuses what is not usable audio, with a stable code and a readable reason, and keeps a
 * lossless canonical copy of what is (integer PCM stays integer at its depth, float stays float,
 * lossy uploads are kept as they are), plus the probe report.
 */
export class IngestStage implements StageDefinition {
  readonly step = 'ingest' as const;
  readonly version = 'ingest@1';

  constructor(private readonly rules: IngestRules = DEFAULT_INGEST_RULES) {}

  paramsFor(): Record<string, unknown> {
    return { rules: this.rules };
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const release = await ctx.release();
    const track = release.tracks.find((t) => t.trackId === ctx.request.trackId);
    const submitted = release.submission.tracks[(track?.position ?? 1) - 1];
    if (!track || !submitted)
      throw new StageError('invalid-metadata', 'the track is not part of its release record');
    this.checkMetadata(release.submission.upc, submitted.isrc);

    const outputs: Record<string, string> = {};
    const sources: IngestedSource[] = [];
    for (const [index, source] of track.sources.entries()) {
      const key = ctx.request.inputs[`source.${index}`] ?? source.key;
      const ingested = await this.ingestOne(ctx, key, index, source.name, source.fileName);
      outputs[`canonical.${index}`] = ingested.canonicalKey;
      sources.push(ingested);
      ctx.progress(((index + 1) / track.sources.length) * 100);
    }
    const report = { schema: 'pressline.ingest-report.v1', trackId: track.trackId, sources };
    const reportKey = `${ctx.outputPrefix}ingest-report.json`;
    await putJson(ctx.store, reportKey, report);
    outputs['ingest-report'] = reportKey;
    return {
      outputs,
      summary: {
        sources: sources.map((s) => ({
          name: s.name,
          format: s.format,
          durationSeconds: s.durationSeconds,
          canonical: s.canonical,
          integratedLufs: s.measurement.loudness.integratedLufs,
          truePeakDbtp: s.measurement.loudness.truePeakDbtp,
          qc: s.measurement.qc.status,
          qcWarnings: s.measurement.qc.findings.filter((f) => f.severity !== 'pass').map((f) => f.message),
        })),
      },
    };
  }

  private checkMetadata(upc: string | undefined, isrc: string | undefined): void {
    if (upc !== undefined && !isValidUpc(upc)) {
      throw new StageError(
        'invalid-upc',
        `UPC/EAN "${upc}" is not 8, 12, 13 or 14 digits with a valid GS1 check digit`,
      );
    }
    if (isrc !== undefined && !isValidIsrc(isrc)) {
      throw new StageError(
        'invalid-isrc',
        `ISRC "${isrc}" is not of the form CC-XXX-YY-NNNNN (e.g. USRC17607839)`,
      );
    }
  }

  private async ingestOne(
    ctx: StageContext,
    key: string,
    index: number,
    name: string,
    fileName: string,
  ): Promise<IngestedSource> {
    const info = await ctx.store.head(key);
    if (!info) throw new StageError('missing-upload', `"${fileName}" was never uploaded`);
    if (info.size === 0) throw new StageError('empty-file', `"${fileName}" is empty (0 bytes)`);
    if (info.size > this.rules.maxFileBytes) {
      throw new StageError(
        'file-too-large',
        `"${fileName}" is ${info.size} bytes; the limit is ${this.rules.maxFileBytes}`,
      );
    }
    // The client's name never becomes a path as it is: only a cleaned extension is kept (ffmpeg probes content anyway).
    const local = join(ctx.workDir, `source-${index}${extname(safeFileName(fileName)).slice(0, 8)}`);
    await ctx.store.getToFile(key, local);

    let probed: ProbeResult;
    try {
      probed = await probe(local);
    } catch (e) {
      if (isAudioError(e)) throw refusal(e, fileName);
      throw e;
    }
    const a = probed.audio;
    if (a.sampleRate < this.rules.minSampleRate || a.sampleRate > this.rules.maxSampleRate) {
      throw new StageError(
        'unsupported-sample-rate',
        `"${fileName}" is at ${a.sampleRate} Hz; accepted: ${this.rules.minSampleRate}-${this.rules.maxSampleRate} Hz`,
      );
    }
    if (a.channels < 1 || a.channels > this.rules.maxChannels) {
      throw new StageError(
        'unsupported-channel-layout',
        `"${fileName}" has ${a.channels} channels; accepted: 1 to ${this.rules.maxChannels}`,
      );
    }
    if (
      probed.declaredFrames !== null &&
      probed.declaredFrames / a.sampleRate > this.rules.maxDurationSeconds
    ) {
      const declared = (probed.declaredFrames / a.sampleRate).toFixed(0);
      const h = probed.header;
      // A PCM header can claim hours that the file does not hold: that is a broken file, not a long one.
      if (h && h.availableFrames !== null && h.availableFrames < 0.5 * probed.declaredFrames) {
        throw new StageError(
          'truncated-or-corrupt',
          `"${fileName}" declares ${declared} s of audio but holds ${(h.availableFrames / a.sampleRate).toFixed(3)} s: its header is wrong or the file was cut`,
        );
      }
      throw new StageError(
        'too-long',
        `"${fileName}" declares ${declared} s; the limit is ${this.rules.maxDurationSeconds} s`,
      );
    }

    const measured = await this.measure(ctx, local, fileName);
    const report = measured.decode;
    const durationSeconds = report.frames / a.sampleRate;
    if (report.frames === 0) throw new StageError('too-short', `"${fileName}" holds no audio samples`);
    if (report.truncated) {
      throw new StageError(
        'truncated-or-corrupt',
        `"${fileName}" is truncated: ${report.frames} of ${report.declaredFrames} frames present (${(report.declaredFrames ?? 0) - report.frames} missing)`,
      );
    }
    if (report.decodeErrorCount > 0) {
      throw new StageError(
        'truncated-or-corrupt',
        `"${fileName}" is corrupt: ${report.decodeErrorCount} decoding errors (${report.decodeErrors.slice(0, 3).join('; ')})`,
      );
    }
    if (report.nonFiniteSamples > 0) {
      throw new StageError(
        'truncated-or-corrupt',
        `"${fileName}" holds ${report.nonFiniteSamples} NaN or infinite samples`,
      );
    }
    if (durationSeconds < this.rules.minDurationSeconds) {
      throw new StageError(
        'too-short',
        `"${fileName}" lasts ${durationSeconds.toFixed(3)} s; the minimum is ${this.rules.minDurationSeconds} s`,
      );
    }
    if (durationSeconds > this.rules.maxDurationSeconds) {
      throw new StageError(
        'too-long',
        `"${fileName}" lasts ${durationSeconds.toFixed(0)} s; the limit is ${this.rules.maxDurationSeconds} s`,
      );
    }

    const plan = planCanonicalCopy(probed);
    let canonicalFile = local;
    let extension = extname(local) || '.bin';
    if (plan.action === 'transcode') {
      canonicalFile = join(ctx.workDir, `canonical-${index}${plan.extension}`);
      extension = plan.extension;
      try {
        await transcode(local, canonicalFile, { format: plan.format, probe: probed });
      } catch (e) {
        if (isAudioError(e)) throw refusal(e, fileName);
        throw e;
      }
    }
    const canonicalKey = `${ctx.outputPrefix}canonical-${index}${extension}`;
    const put = await ctx.store.putFile(canonicalKey, canonicalFile, {
      contentType: 'application/octet-stream',
    });
    return {
      index,
      name,
      fileName,
      canonicalKey,
      canonical: plan.reason,
      format: describeFormat({ container: probed.container, audio: { ...a, durationSeconds } }),
      sampleRate: a.sampleRate,
      channels: a.channels,
      bitDepth: a.bitDepth,
      codec: a.codecName,
      durationSeconds,
      sha256: put.sha256,
      probe: probed,
      measurement: { loudness: measured.loudness, qc: measured.qc, decode: measured.decode },
    };
  }

  /**
   * Decodes the whole file once, in a worker thread, measuring loudness and QC on the way:
   * truncation, corrupt frames and NaN/Inf samples show up only there.
   */
  private async measure(ctx: StageContext, file: string, fileName: string): Promise<FileMeasurement> {
    const outcome = await ctx.cpu.run<MeasureOutcome>(MEASURE_TASK, { file });
    if (outcome.ok) return outcome.measurement;
    const e = outcome.error;
    // The file probed as audio, so a decoder that gives up on it means broken data.
    if (e.code === 'ffmpeg-failed') {
      const detail = (e.stderrTail ?? e.message).trim().split('\n').slice(-2).join(' / ');
      throw new StageError(
        'truncated-or-corrupt',
        `"${fileName}" is truncated or corrupt: decoding stopped (${detail})`,
      );
    }
    if (e.code === 'corrupt')
      throw new StageError(
        'truncated-or-corrupt',
        `"${fileName}" looks like audio but cannot be read: ${e.message}`,
      );
    throw new StageError(
      e.retryable ? 'transient' : 'processing-failed',
      `reading "${fileName}" failed: ${e.message}`,
      { retryable: e.retryable },
    );
  }
}

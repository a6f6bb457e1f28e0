import type { QcFigures } from './analyzer';

export type QcSeverity = 'pass' | 'warn' | 'fail';

/** Stable finding codes (other tools read them). */
export type QcCode =
  | 'non-finite'
  | 'clipping'
  | 'intersample-overs'
  | 'dc-offset'
  | 'phase'
  | 'mono-compat'
  | 'leading-silence'
  | 'trailing-silence'
  | 'silence-gap'
  | 'bit-depth'
  | 'bandwidth'
  | 'dual-mono'
  | 'polarity';

export interface QcFinding {
  code: QcCode;
  severity: QcSeverity;
  /** The figure judged (unit in the message); null when it does not exist. */
  value: number | boolean | null;
  /** The limit that decided the severity (the warn limit when passing); null when none applies. */
  threshold: number | null;
  message: string;
}

/** Limits that turn QC figures into findings (see QC_THRESHOLDS). */
export interface QcThresholds {
  readonly clippingRunsWarn: number;
  readonly clippingRunsFail: number;
  readonly intersampleOversWarn: number;
  readonly intersampleOversFail: number;
  readonly dcOffsetWarnDbfs: number;
  readonly dcOffsetFailDbfs: number;
  readonly phaseMeanWarn: number;
  readonly phaseMeanFail: number;
  readonly phaseWindowWarn: number;
  readonly monoDropWarnLu: number;
  readonly monoDropFailLu: number;
  readonly leadingSilenceWarnSeconds: number;
  readonly leadingSilenceFailSeconds: number;
  readonly trailingSilenceWarnSeconds: number;
  readonly trailingSilenceFailSeconds: number;
  readonly silenceGapsWarn: number;
  /** Below this cutoff (Hz) at >= 32 kHz the spectrum looks band-limited (not lossy-specific). */
  readonly bandwidthNarrowHz: number;
  /** Brick wall between bandwidthNarrowHz and this (Hz): looks like a lossy encoder's low-pass. */
  readonly bandwidthLossyHz: number;
  /** At >= 88.2 kHz, a wall at or below this (Hz) means the source was 44.1/48 kHz. */
  readonly bandwidthUpsampledHz: number;
  /** Side-to-mid ratio (dB) at or below which a stereo file is dual mono. */
  readonly dualMonoSideToMidDb: number;
  /** Side-to-mid ratio (dB) at or above which one channel is polarity-inverted. */
  readonly polaritySideToMidDb: number;
}

/**
 * Limits that turn QC figures into findings. Why each value: see libs/dsp/src/qc/README.md.
 */
export const QC_THRESHOLDS: QcThresholds = Object.freeze({
  clippingRunsWarn: 1,
  clippingRunsFail: 50,
  intersampleOversWarn: 1,
  intersampleOversFail: 50,
  dcOffsetWarnDbfs: -50,
  dcOffsetFailDbfs: -30,
  phaseMeanWarn: 0,
  phaseMeanFail: -0.5,
  phaseWindowWarn: -0.7,
  monoDropWarnLu: 3,
  monoDropFailLu: 6,
  leadingSilenceWarnSeconds: 2,
  leadingSilenceFailSeconds: 10,
  trailingSilenceWarnSeconds: 5,
  trailingSilenceFailSeconds: 30,
  silenceGapsWarn: 1,
  /** Below this cutoff (Hz) at >= 32 kHz the spectrum looks band-limited (not lossy-specific). */
  bandwidthNarrowHz: 15000,
  /** Brick wall between bandwidthNarrowHz and this (Hz): looks like a lossy encoder's low-pass. */
  bandwidthLossyHz: 19500,
  /** At >= 88.2 kHz, a wall at or below this (Hz) means the source was 44.1/48 kHz. */
  bandwidthUpsampledHz: 24500,
  /** Side-to-mid ratio (dB) at or below which a stereo file is dual mono. */
  dualMonoSideToMidDb: -50,
  /** Side-to-mid ratio (dB) at or above which one channel is polarity-inverted. */
  polaritySideToMidDb: 50,
});

const fmt = (v: number, digits = 1): string => v.toFixed(digits);

/** Severity of a figure where larger is worse. */
function grade(value: number, warn: number, fail: number | null): [QcSeverity, number] {
  if (fail !== null && value >= fail) return ['fail', fail];
  if (value >= warn) return ['warn', warn];
  return ['pass', warn];
}

/**
 * Turns QC figures into findings, one per applicable code (stereo-only codes are left out for
 * other channel counts). Pure function: the same figures and thresholds give the same list.
 */
export function qcFindings(figures: QcFigures, thresholds: QcThresholds = QC_THRESHOLDS): QcFinding[] {
  const t = thresholds;
  const out: QcFinding[] = [];

  if (figures.nonFiniteSamples > 0) {
    out.push({
      code: 'non-finite',
      severity: 'fail',
      value: figures.nonFiniteSamples,
      threshold: 1,
      message: `${figures.nonFiniteSamples} samples are NaN or infinite: the file is corrupt`,
    });
  } else {
    out.push({
      code: 'non-finite',
      severity: 'pass',
      value: 0,
      threshold: 1,
      message: 'all samples are finite numbers',
    });
  }

  {
    const c = figures.clipping;
    const [severity, threshold] = grade(c.runs, t.clippingRunsWarn, t.clippingRunsFail);
    out.push({
      code: 'clipping',
      severity,
      value: c.runs,
      threshold,
      message:
        c.runs === 0
          ? `no clipped runs (${c.minRun}+ consecutive samples at or above ${fmt(c.levelDbfs, 2)} dBFS)`
          : `${c.runs} clipped runs, ${c.samples} samples (${c.minRun}+ consecutive samples at or above ${fmt(c.levelDbfs, 2)} dBFS)`,
    });
  }

  {
    const o = figures.interSampleOvers;
    const [severity, threshold] = grade(o.events, t.intersampleOversWarn, t.intersampleOversFail);
    out.push({
      code: 'intersample-overs',
      severity,
      value: o.events,
      threshold,
      message:
        o.events === 0
          ? 'no inter-sample overs above 0 dBTP'
          : `${o.events} inter-sample overs above 0 dBTP (${o.samples} oversampled values): lossy encoding or D/A conversion will clip`,
    });
  }

  {
    const dc = figures.dcOffset.maxDbfs;
    const [severity, threshold] =
      dc === null
        ? (['pass', t.dcOffsetWarnDbfs] as [QcSeverity, number])
        : grade(dc, t.dcOffsetWarnDbfs, t.dcOffsetFailDbfs);
    out.push({
      code: 'dc-offset',
      severity,
      value: dc,
      threshold,
      message:
        dc === null
          ? 'no DC offset'
          : `largest channel DC offset ${fmt(dc)} dBFS (${fmt(100 * Math.pow(10, dc / 20), 3)} % of full scale)`,
    });
  }

  if (figures.phase) {
    const p = figures.phase;
    let severity: QcSeverity = 'pass';
    let threshold: number = t.phaseMeanWarn;
    if (p.meanCorrelation !== null && p.meanCorrelation < t.phaseMeanFail) {
      severity = 'fail';
      threshold = t.phaseMeanFail;
    } else if (p.meanCorrelation !== null && p.meanCorrelation < t.phaseMeanWarn) {
      severity = 'warn';
    } else if (p.worstWindowCorrelation !== null && p.worstWindowCorrelation < t.phaseWindowWarn) {
      severity = 'warn';
      threshold = t.phaseWindowWarn;
    }
    out.push({
      code: 'phase',
      severity,
      value: p.meanCorrelation,
      threshold,
      message:
        p.meanCorrelation === null
          ? 'no phase correlation: no window above the level floor'
          : `mean phase correlation ${fmt(p.meanCorrelation, 2)}, worst 400 ms window ${fmt(p.worstWindowCorrelation ?? 0, 2)} at ${fmt(p.worstWindowStartSeconds ?? 0)} s`,
    });
  }

  if (figures.monoCompatibility) {
    const m = figures.monoCompatibility;
    if (m.dropLu !== null) {
      const [severity, threshold] = grade(m.dropLu, t.monoDropWarnLu, t.monoDropFailLu);
      out.push({
        code: 'mono-compat',
        severity,
        value: m.dropLu,
        threshold,
        message: `mono fold-down (L+R)/2 is ${fmt(m.dropLu)} LU quieter than the stereo original`,
      });
    } else if (m.stereoLufs !== null) {
      out.push({
        code: 'mono-compat',
        severity: 'fail',
        value: null,
        threshold: t.monoDropFailLu,
        message: 'the mono fold-down (L+R)/2 cancels to silence',
      });
    } else {
      out.push({
        code: 'mono-compat',
        severity: 'pass',
        value: null,
        threshold: t.monoDropWarnLu,
        message: 'no loudness to compare (silent track)',
      });
    }
  }

  {
    const s = figures.silence;
    const [ls, lt] = grade(s.leadingSeconds, t.leadingSilenceWarnSeconds, t.leadingSilenceFailSeconds);
    out.push({
      code: 'leading-silence',
      severity: ls,
      value: s.leadingSeconds,
      threshold: lt,
      message: `${fmt(s.leadingSeconds, 2)} s of leading silence (at or below ${fmt(s.thresholdDbfs, 0)} dBFS)`,
    });
    const [ts, tt] = grade(s.trailingSeconds, t.trailingSilenceWarnSeconds, t.trailingSilenceFailSeconds);
    out.push({
      code: 'trailing-silence',
      severity: ts,
      value: s.trailingSeconds,
      threshold: tt,
      message: `${fmt(s.trailingSeconds, 2)} s of trailing silence (at or below ${fmt(s.thresholdDbfs, 0)} dBFS)`,
    });
    const [gs, gt] = grade(s.gapCount, t.silenceGapsWarn, null);
    const first = s.gaps[0];
    out.push({
      code: 'silence-gap',
      severity: gs,
      value: s.gapCount,
      threshold: gt,
      message:
        s.gapCount === 0
          ? 'no digital-silence gaps inside the track'
          : `${s.gapCount} digital-silence gaps inside the track (${fmt(s.gapTotalSeconds, 3)} s in all), first at ${fmt(first.startSeconds, 3)} s for ${fmt(first.durationSeconds, 3)} s`,
    });
  }

  {
    const b = figures.bitDepth;
    const bits = b.effectiveBits;
    const expected = b.declaredBits === null ? null : Math.min(b.declaredBits, 24);
    const short = bits !== null && expected !== null && bits < expected;
    out.push({
      code: 'bit-depth',
      severity: short ? 'warn' : 'pass',
      value: bits,
      threshold: expected,
      message:
        bits === null
          ? 'no bit depth: digital silence'
          : short
            ? `only ${bits} bits used in a ${b.declaredBits}-bit container: ${bits}-bit content padded`
            : `${bits === 32 ? 'more than 24' : bits} bits used${b.declaredBits === null ? '' : ` in a ${b.declaredBits}-bit container`}`,
    });
  }

  {
    const bw = figures.bandwidth;
    const cutoff = bw.cutoffHz;
    const fs = figures.sampleRate;
    let severity: QcSeverity = 'pass';
    let threshold: number | null = null;
    let message: string;
    if (bw.effectiveHz === null) {
      message = 'no bandwidth: digital silence';
    } else if (cutoff === null) {
      message = `content up to Nyquist (${fmt(bw.nyquistHz / 1000)} kHz), no brick-wall cutoff`;
    } else if (fs >= 88200 && cutoff <= t.bandwidthUpsampledHz) {
      severity = 'warn';
      threshold = t.bandwidthUpsampledHz;
      message = `nothing above ${fmt(cutoff / 1000)} kHz at ${fmt(fs / 1000)} kHz: looks upsampled from a 44.1/48 kHz source`;
    } else if (fs >= 32000 && cutoff < t.bandwidthNarrowHz) {
      severity = 'warn';
      threshold = t.bandwidthNarrowHz;
      message = `brick-wall cutoff at ${fmt(cutoff / 1000)} kHz: narrow band (low-bit-rate or low-sample-rate source, or no high-frequency content)`;
    } else if (fs >= 32000 && cutoff < t.bandwidthLossyHz) {
      severity = 'warn';
      threshold = t.bandwidthLossyHz;
      message = `brick-wall cutoff at ${fmt(cutoff / 1000)} kHz (${fmt(bw.cutoffDropDb ?? 0, 0)} dB drop): looks like a lossy (MP3/AAC) source`;
    } else {
      threshold = t.bandwidthLossyHz;
      message = `content up to ${fmt(cutoff / 1000)} kHz`;
    }
    out.push({ code: 'bandwidth', severity, value: bw.effectiveHz, threshold, message });
  }

  if (figures.stereo) {
    const s = figures.stereo;
    const dual = s.sideToMidDb !== null && s.sideToMidDb <= t.dualMonoSideToMidDb;
    const inverted = s.sideToMidDb !== null && s.sideToMidDb >= t.polaritySideToMidDb;
    out.push({
      code: 'dual-mono',
      severity: dual ? 'warn' : 'pass',
      value: s.sideToMidDb,
      threshold: t.dualMonoSideToMidDb,
      message: dual
        ? 'left and right are identical: mono content in a stereo file'
        : s.sideToMidDb === null
          ? 'no stereo content to compare (silence)'
          : `side is ${fmt(s.sideToMidDb)} dB relative to mid`,
    });
    out.push({
      code: 'polarity',
      severity: inverted ? 'fail' : 'pass',
      value: s.sideToMidDb,
      threshold: t.polaritySideToMidDb,
      message: inverted
        ? 'right is the polarity-inverted copy of left: the mono fold-down cancels'
        : 'no polarity-inverted channel',
    });
  }

  return out;
}

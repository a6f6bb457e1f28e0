import type { Dbtp, Decibels, EqSection, Gain, Hertz, LoudnessUnits, Lufs, Seconds } from '@pressline/dsp';
import type { ChannelMode } from './channels';
import type { LoudnessDecision } from './plan';

export interface LoudnessFigures {
  readonly integratedLufs: Lufs | null;
  readonly loudnessRangeLu: LoudnessUnits | null;
  readonly truePeakDbtp: Dbtp | null;
  readonly samplePeakDbfs: Decibels | null;
  readonly shortTermMaxLufs: Lufs | null;
}

export interface RenderPassFigures {
  readonly gainDb: Decibels;
  readonly limiter: boolean;
  readonly limiterCeilingDbtp: Dbtp | null;
  readonly integratedLufs: Lufs | null;
  readonly truePeakDbtp: Dbtp | null;
  readonly seconds: Seconds;
}

/**
 * The mastering report of one track for one profile: the JSON artifact `master-report.<profile>`
 * and what `pressline master --json` prints. Field names are a public interface: add, never rename.
 */
export interface MasterReport {
  readonly schema: 'pressline.master-report.v1';
  readonly id: string;
  readonly profile: {
    readonly name: string;
    readonly targetLufs: Lufs | null;
    readonly truePeakDbtp: Dbtp;
    readonly toleranceLu: LoudnessUnits;
    readonly peakMarginDb: Decibels;
    readonly sampleRate: Hertz | 'source';
    readonly bitDepth: 16 | 24 | 32;
    readonly container: 'wav' | 'flac';
    readonly policy: 'limit' | 'quieter';
    readonly noiseShaping: string;
    /** Values that differ from the profile file, and why. */
    readonly changes: readonly string[];
  };
  readonly input: LoudnessFigures & {
    readonly file: string;
    readonly sampleRate: Hertz;
    readonly channels: number;
    readonly bitDepth: number | null;
    readonly codec: string;
    readonly durationSeconds: Seconds;
  };
  /** The signal entering the loudness gain (after channel plan, subsonic, EQ, width, compression, SRC). */
  readonly preGain: LoudnessFigures;
  readonly output: LoudnessFigures & {
    readonly file: string;
    readonly container: 'wav' | 'flac';
    readonly sampleRate: Hertz;
    readonly bitDepth: 16 | 24 | 32;
    readonly channels: number;
    readonly frames: number;
    readonly bytes: number;
    /** WAV only: the header's wFormatTag (1 = WAVE_FORMAT_PCM, 3 = IEEE float, 0xFFFE = EXTENSIBLE). */
    readonly waveFormatTag: number | null;
  };
  readonly target: {
    /** The loudness the output is made to; null = the programme's own loudness kept (CD). */
    readonly lufs: Lufs | null;
    readonly source: 'profile' | 'reference' | 'album' | 'programme';
    readonly ceilingDbtp: Dbtp;
  };
  /** The loudness gain applied (dB). */
  readonly gainDb: Decibels;
  /** True when no dynamic processing (limiter, compressor) touched the signal: gain and filters only. */
  readonly linear: boolean;
  readonly policy: {
    readonly name: 'limit' | 'quieter';
    readonly decision: LoudnessDecision;
    /** How much quieter than the target the output is, by policy (0 when the target is met). */
    readonly quieterByLu: LoudnessUnits;
    readonly reason: string;
  };
  readonly limiter: {
    readonly ceilingDbtp: Dbtp;
    readonly marginDb: Decibels;
    readonly maxGainReductionDb: Decibels;
    readonly meanGainReductionDb: Decibels;
    readonly secondsAbove1Db: Seconds;
    readonly activeFraction: number;
  } | null;
  readonly channels: {
    readonly input: number;
    readonly output: number;
    readonly mode: ChannelMode;
    readonly description: string;
  };
  readonly subsonic: { readonly frequencyHz: Hertz; readonly order: 4 } | null;
  readonly eq: {
    readonly source: 'reference' | 'curve' | 'custom';
    readonly curve: string | null;
    readonly sections: readonly EqSection[];
    /** Realised response per one-third-octave band (centresHz), dB. */
    readonly centresHz: readonly Hertz[];
    readonly curveDb: readonly (Decibels | null)[];
    readonly maxAbsDb: Decibels;
  } | null;
  readonly width: {
    readonly sideGain: Gain;
    readonly inputWidthDb: Decibels | null;
    readonly referenceWidthDb: Decibels | null;
  } | null;
  readonly compression: {
    readonly mode: 'off' | 'auto';
    readonly applied: boolean;
    readonly reason: string;
    readonly settings: Record<string, number | string> | null;
    readonly maxGainReductionDb: Decibels;
  };
  readonly src: {
    readonly fromHz: Hertz;
    readonly toHz: Hertz;
    readonly method: string;
    readonly tapsPerPhase: number;
  } | null;
  readonly dither: {
    readonly bitDepth: 16 | 24;
    readonly type: 'tpdf';
    readonly noiseShaping: string;
    readonly clippedSamples: number;
  } | null;
  readonly reference: {
    readonly file: string;
    readonly integratedLufs: Lufs | null;
    readonly widthDb: Decibels | null;
    readonly sampleRate: Hertz;
  } | null;
  readonly album: {
    readonly gainDb: Decibels;
    readonly anchorId: string;
    readonly anchorLufs: Lufs;
    readonly isAnchor: boolean;
    readonly reason: string;
  } | null;
  readonly verification: {
    readonly passed: boolean;
    readonly meter: 'pressline LoudnessMeter (BS.1770-5, true peak 4x)';
    readonly expectedLufs: Lufs | null;
    readonly integratedLufs: Lufs | null;
    readonly deviationLu: LoudnessUnits | null;
    readonly toleranceLu: LoudnessUnits;
    readonly truePeakDbtp: Dbtp | null;
    readonly ceilingDbtp: Dbtp;
    readonly fileChecked: boolean;
    readonly passes: readonly RenderPassFigures[];
    readonly corrections: readonly string[];
  };
  /** Every decision in the order it was taken, in words. */
  readonly decisions: readonly string[];
  /** passes: render passes run, the final write of an accepted trial included; seconds include the measuring pass. */
  readonly timing: { readonly seconds: Seconds; readonly realtimeFactor: number; readonly passes: number };
}

export interface AlbumReport {
  readonly schema: 'pressline.album-master-report.v1';
  readonly profile: string;
  readonly gainDb: Decibels;
  readonly anchorId: string;
  readonly anchorLufs: Lufs;
  readonly reason: string;
  readonly tracks: readonly MasterReport[];
}

const num = (v: number | null, unit: string, digits = 1): string =>
  v === null ? '—' : `${v.toFixed(digits)} ${unit}`;

/** The report in a few human-readable lines (CLI output). */
export function formatReport(r: MasterReport): string {
  const lines = [
    `${r.input.file} -> ${r.output.file}`,
    `  profile     ${r.profile.name}: ${r.target.lufs === null ? 'programme loudness kept' : `${r.target.lufs.toFixed(1)} LUFS (${r.target.source})`}, ceiling ${r.target.ceilingDbtp.toFixed(1)} dBTP, ${r.output.container.toUpperCase()} ${r.output.bitDepth === 32 ? '32-bit float' : `${r.output.bitDepth}-bit`} ${r.output.sampleRate} Hz`,
    `  input       ${num(r.input.integratedLufs, 'LUFS', 2)}, LRA ${num(r.input.loudnessRangeLu, 'LU')}, true peak ${num(r.input.truePeakDbtp, 'dBTP', 2)}`,
    `  output      ${num(r.output.integratedLufs, 'LUFS', 2)}, LRA ${num(r.output.loudnessRangeLu, 'LU')}, true peak ${num(r.output.truePeakDbtp, 'dBTP', 2)}`,
    `  gain        ${r.gainDb.toFixed(2)} dB, ${r.linear ? 'linear (no dynamic processing)' : 'NOT linear'}; ${r.policy.decision}${r.policy.quieterByLu > 0 ? `, ${r.policy.quieterByLu.toFixed(2)} LU quieter than the target by policy` : ''}`,
  ];
  if (r.limiter) {
    lines.push(
      `  limiter     max ${r.limiter.maxGainReductionDb.toFixed(2)} dB, mean ${r.limiter.meanGainReductionDb.toFixed(3)} dB, ${r.limiter.secondsAbove1Db.toFixed(2)} s above 1 dB`,
    );
  }
  if (r.compression.applied)
    lines.push(
      `  compression max ${r.compression.maxGainReductionDb.toFixed(2)} dB (${r.compression.reason})`,
    );
  if (r.eq)
    lines.push(
      `  eq          ${r.eq.source}${r.eq.curve ? ` ${r.eq.curve}` : ''}: ${r.eq.sections.length} sections, max ${r.eq.maxAbsDb.toFixed(2)} dB`,
    );
  if (r.width) lines.push(`  width       side gain ${r.width.sideGain.toFixed(3)}`);
  if (r.src) lines.push(`  src         ${r.src.fromHz} -> ${r.src.toHz} Hz (${r.src.method})`);
  if (r.dither)
    lines.push(
      `  dither      TPDF to ${r.dither.bitDepth} bits${r.dither.noiseShaping !== 'none' ? `, ${r.dither.noiseShaping} noise shaping` : ''}`,
    );
  if (r.channels.mode !== 'stereo') lines.push(`  channels    ${r.channels.description}`);
  if (r.album)
    lines.push(
      `  album       gain ${r.album.gainDb.toFixed(2)} dB anchored on ${r.album.anchorId}${r.album.isAnchor ? ' (this track)' : ''}`,
    );
  lines.push(
    `  verified    ${r.verification.passed ? 'yes' : 'NO'}: ${num(r.verification.integratedLufs, 'LUFS', 2)} (expected ${num(r.verification.expectedLufs, 'LUFS', 2)} +-${r.verification.toleranceLu}), true peak ${num(r.verification.truePeakDbtp, 'dBTP', 2)} <= ${r.verification.ceilingDbtp.toFixed(1)}`,
    `  speed       ${r.timing.realtimeFactor.toFixed(0)}x realtime, ${r.timing.passes} render pass${r.timing.passes > 1 ? 'es' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

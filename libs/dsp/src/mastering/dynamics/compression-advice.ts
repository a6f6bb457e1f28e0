import type { Dbtp, Decibels, LoudnessUnits, Lufs } from '../../units';
import type { CompressorOptions } from './compressor';

export interface DynamicsMeasurement {
  readonly integratedLoudness: Lufs;
  readonly truePeak: Dbtp;
  /** EBU Tech 3342 loudness range, if measured. */
  readonly loudnessRange?: LoudnessUnits;
}

export interface DynamicsTarget {
  readonly loudness: Lufs;
  readonly ceiling: Dbtp;
}

export interface CompressionAdviceOptions {
  /** Peak gain reduction a true-peak limiter may take alone before transients audibly flatten. */
  readonly maxLimiterReduction?: Decibels;
  /** Above this loudness range the dynamics are taken as intended: no compression is advised. */
  readonly maxLoudnessRange?: LoudnessUnits;
}

export const COMPRESSION_ADVICE_DEFAULTS: Readonly<Required<CompressionAdviceOptions>> = Object.freeze({
  maxLimiterReduction: 4,
  maxLoudnessRange: 15,
});

export interface CompressionAdvice {
  /** True when gentle compression before the limiter is advised. */
  readonly compress: boolean;
  /** Peak-to-loudness ratio of the input (true peak - integrated loudness), dB. */
  readonly peakToLoudness: Decibels;
  /** PLR the target allows: ceiling - target loudness. */
  readonly allowedPeakToLoudness: Decibels;
  /** Peak gain reduction a limiter alone would need to reach the target, dB (0 = linear gain). */
  readonly limiterReduction: Decibels;
  /** Crest reduction the compressor should provide when `compress`, dB. */
  readonly compressionAmount: Decibels;
  /** Suggested compressor settings when `compress` (sample rate / channels left to the caller). */
  readonly settings?: Omit<CompressorOptions, 'sampleRate' | 'channels'>;
  readonly reason: string;
}

/**
 * "Does the material ask for compression?" - a documented heuristic, not a standard. Reaching
 * `target.loudness` under `target.ceiling` needs a peak-to-loudness ratio (PLR = true peak -
 * integrated loudness) of at most ceiling - target. The excess of the input's PLR over it is the
 * peak reduction a limiter would have to apply. Up to `maxLimiterReduction` (4 dB) a look-ahead
 * true-peak limiter handles it transparently; beyond that, transients flatten audibly, and a
 * gentle slow compressor (2:1 to 3:1, soft knee, 20 ms / 250 ms, RMS) taking the excess off the
 * loud passages first is the usual mastering answer. Material whose loudness range exceeds
 * `maxLoudnessRange` (classical, film) is taken as deliberately dynamic: compression is not
 * advised and the caller should deliver quieter or limit, by policy.
 */
export function adviseCompression(
  input: DynamicsMeasurement,
  target: DynamicsTarget,
  options: CompressionAdviceOptions = {},
): CompressionAdvice {
  const o = { ...COMPRESSION_ADVICE_DEFAULTS, ...options };
  if (!isFinite(input.integratedLoudness) || !isFinite(input.truePeak)) {
    throw new RangeError('integrated loudness and true peak must be finite (silent input?)');
  }
  if (!(o.maxLimiterReduction >= 0)) {
    throw new RangeError(`maxLimiterReduction must be >= 0 dB, got ${o.maxLimiterReduction}`);
  }
  const peakToLoudness = input.truePeak - input.integratedLoudness;
  const allowedPeakToLoudness = target.ceiling - target.loudness;
  const limiterReduction = Math.max(0, peakToLoudness - allowedPeakToLoudness);
  const base = { peakToLoudness, allowedPeakToLoudness, limiterReduction };
  if (limiterReduction === 0) {
    return {
      ...base,
      compress: false,
      compressionAmount: 0,
      reason: 'linear gain reaches the target under the ceiling',
    };
  }
  if (limiterReduction <= o.maxLimiterReduction) {
    return {
      ...base,
      compress: false,
      compressionAmount: 0,
      reason: `the limiter alone needs ${limiterReduction.toFixed(1)} dB of peak reduction (<= ${o.maxLimiterReduction} dB)`,
    };
  }
  if (input.loudnessRange !== undefined && input.loudnessRange > o.maxLoudnessRange) {
    return {
      ...base,
      compress: false,
      compressionAmount: 0,
      reason: `loudness range ${input.loudnessRange.toFixed(1)} LU > ${o.maxLoudnessRange} LU: dynamics taken as intended`,
    };
  }
  const compressionAmount = limiterReduction - o.maxLimiterReduction / 2;
  const ratio = compressionAmount > 6 ? 3 : 2;
  return {
    ...base,
    compress: true,
    compressionAmount,
    settings: {
      // RMS detector: a stereo programme at L LUFS reads roughly L - 3 dB; start the knee there
      threshold: Math.max(-60, Math.min(-6, input.integratedLoudness - 3)),
      ratio,
      knee: 6,
      attack: 0.02,
      release: 0.25,
      detector: 'rms',
      rmsWindow: 0.05,
      makeup: 0,
    },
    reason: `the limiter alone would need ${limiterReduction.toFixed(1)} dB of peak reduction (> ${o.maxLimiterReduction} dB)`,
  };
}

import { z } from 'zod';
import type { ProfileOverride } from '@pressline/contracts';
import {
  THIRD_OCTAVE_CENTRES,
  type Dbtp,
  type Decibels,
  type Hertz,
  type LoudnessUnits,
  type Lufs,
} from '@pressline/dsp';

/** Sample rates a profile may ask for (the ones stores and players take). */
export const STANDARD_SAMPLE_RATES: readonly Hertz[] = Object.freeze([
  44100, 48000, 88200, 96000, 176400, 192000,
]);

const Rate = z
  .number()
  .int()
  .refine((r) => STANDARD_SAMPLE_RATES.includes(r), 'not a standard sample rate');

/** A tonal-balance target: a named built-in curve (see eq-curves.ts) or 31 one-third-octave levels, dB. */
export const EqSetting = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('off') }),
  z.object({ mode: z.literal('curve'), curve: z.string().min(1).max(40) }),
  z.object({
    mode: z.literal('custom'),
    bandsDb: z.array(z.number().min(-60).max(60)).length(THIRD_OCTAVE_CENTRES.length),
  }),
]);
export type EqSetting = z.infer<typeof EqSetting>;

/**
 * A delivery profile: what one platform (or medium) wants of a master. Profiles are data: one
 * file each under profiles/, documented in the README table, overridable per release
 * (submission.mastering.overrides) and on the command line.
 */
export const MasteringProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,40}$/),
    title: z.string().min(1).max(100),
    /** Where the values come from (standards.md row, platform document, secondary source). */
    source: z.string().min(1).max(500),
    /** Integrated loudness target (BS.1770-5); null = keep the programme's loudness (CD). */
    targetLufs: z.number().min(-40).max(-5).nullable(),
    /** Tolerance of the delivered integrated loudness around the target. */
    toleranceLu: z.number().min(0.05).max(2).default(0.2),
    /** True-peak ceiling (BS.1770-5 Annex 2). */
    truePeakDbtp: z.number().min(-9).max(0),
    /**
     * A lower ceiling for masters louder than a threshold (Spotify: -2 dBTP above -14 LUFS,
     * because its lossy transcodes add overs). Applies unless the ceiling is overridden.
     */
    loudCeiling: z
      .object({ aboveLufs: z.number().min(-40).max(-5), truePeakDbtp: z.number().min(-9).max(0) })
      .optional(),
    /**
     * Headroom kept under the ceiling when deciding that linear gain is enough, and the limiter's
     * margin: other meters read inter-sample peaks up to about 0.16 dB higher (ffmpeg ebur128 on
     * white noise), see libs/dsp/src/mastering/README.md.
     */
    peakMarginDb: z.number().min(0).max(1).default(0.2),
    /** A fixed output rate, or 'source' (kept when within [minSampleRate, maxSampleRate]). */
    sampleRate: z.union([Rate, z.literal('source')]),
    minSampleRate: Rate.default(44100),
    maxSampleRate: Rate.default(192000),
    /** 16 / 24-bit integer PCM, or 32 = IEEE float (WAV only, no dither). */
    bitDepth: z.union([z.literal(16), z.literal(24), z.literal(32)]),
    container: z.enum(['wav', 'flac']),
    /** TPDF dither is applied to every integer output; noise shaping is optional (44.1-48 kHz only). */
    noiseShaping: z.enum(['none', 'second-order', 'lipshitz', 'f-weighted']).default('none'),
    /** When the target cannot be met with linear gain under the ceiling: limit, or deliver quieter and say so. */
    policy: z.enum(['limit', 'quieter']),
    /** Corner of the subsonic / DC high-pass (4th-order Butterworth); null = none. */
    subsonicHz: z.number().min(5).max(40).nullable().default(15),
    eq: EqSetting.default({ mode: 'off' }),
    /** 'auto': gentle compression before the limiter when adviseCompression says the limiter alone would need too much. */
    compression: z.enum(['off', 'auto']).default('off'),
    /** Inputs with more than two channels: down-mix to stereo (ITU-R BS.775) or refuse. */
    multichannel: z.enum(['downmix', 'refuse']).default('downmix'),
  })
  .superRefine((p, ctx) => {
    if (p.minSampleRate > p.maxSampleRate)
      ctx.addIssue({ code: 'custom', path: ['minSampleRate'], message: 'minSampleRate > maxSampleRate' });
    if (p.bitDepth === 32 && p.container !== 'wav')
      ctx.addIssue({ code: 'custom', path: ['bitDepth'], message: '32-bit float needs a WAV container' });
    if (p.loudCeiling && p.loudCeiling.truePeakDbtp > p.truePeakDbtp) {
      ctx.addIssue({
        code: 'custom',
        path: ['loudCeiling'],
        message: 'the loud ceiling must not be above the ceiling',
      });
    }
  });

export type MasteringProfile = z.infer<typeof MasteringProfileSchema>;
export type MasteringProfileInput = z.input<typeof MasteringProfileSchema>;
export type LoudnessPolicy = MasteringProfile['policy'];
export type NoiseShapingName = MasteringProfile['noiseShaping'];

/** Validates a profile definition once (at load) and freezes it. Throws RangeError listing every problem. */
export function defineProfile(input: MasteringProfileInput): MasteringProfile {
  const parsed = MasteringProfileSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RangeError(
      `invalid mastering profile ${String((input as { name?: unknown }).name)}: ${problems.join('; ')}`,
    );
  }
  return Object.freeze(parsed.data);
}

/** Command-line adjustments on top of the release's overrides (same names, plus a few chain switches). */
export interface CliAdjustments extends ProfileOverride {
  readonly eq?: EqSetting;
  readonly compression?: 'off' | 'auto';
  readonly noiseShaping?: NoiseShapingName;
  readonly container?: 'wav' | 'flac';
}

/** A profile with its overrides applied: the figures one master is made to. */
export interface ResolvedProfile {
  readonly profile: MasteringProfile;
  readonly name: string;
  /** null = keep the programme's loudness. */
  readonly targetLufs: Lufs | null;
  readonly toleranceLu: LoudnessUnits;
  readonly ceilingDbtp: Dbtp;
  readonly peakMarginDb: Decibels;
  readonly sampleRate: Hertz | 'source';
  readonly minSampleRate: Hertz;
  readonly maxSampleRate: Hertz;
  readonly bitDepth: 16 | 24 | 32;
  readonly container: 'wav' | 'flac';
  readonly noiseShaping: NoiseShapingName;
  readonly policy: LoudnessPolicy;
  readonly subsonicHz: Hertz | null;
  readonly eq: EqSetting;
  readonly compression: 'off' | 'auto';
  readonly multichannel: 'downmix' | 'refuse';
  /** The ceiling was set by an override or the command line (the profile's loud-ceiling rule then stays out). */
  readonly ceilingOverridden: boolean;
  /** Fields that differ from the profile, and why (override, cli, loud-ceiling rule ...). */
  readonly changes: readonly string[];
}

/**
 * The ceiling for a target that may differ from the profile's (a reference's loudness): the
 * profile's loud-ceiling rule applies to whatever target the master is made to, unless the ceiling
 * was set explicitly.
 */
export function ceilingForTarget(
  p: ResolvedProfile,
  targetLufs: Lufs | null,
): { ceilingDbtp: Dbtp; rule: string | null } {
  const loud = p.profile.loudCeiling;
  if (!p.ceilingOverridden && loud && targetLufs !== null && targetLufs > loud.aboveLufs) {
    return {
      ceilingDbtp: Math.min(p.ceilingDbtp, loud.truePeakDbtp),
      rule: `ceiling ${loud.truePeakDbtp} dBTP: target ${targetLufs.toFixed(1)} LUFS is louder than ${loud.aboveLufs} LUFS (${p.name} rule)`,
    };
  }
  if (!p.ceilingOverridden && loud) return { ceilingDbtp: p.profile.truePeakDbtp, rule: null };
  return { ceilingDbtp: p.ceilingDbtp, rule: null };
}

/**
 * Applies a release's override, then command-line adjustments, then the profile's derived rules
 * (Spotify's lower ceiling for loud masters; 32-bit float forces WAV). Throws RangeError on a value
 * the profile cannot take.
 */
export function resolveProfile(
  profile: MasteringProfile,
  override: ProfileOverride = {},
  cli: CliAdjustments = {},
): ResolvedProfile {
  const changes: string[] = [];
  const pick = <T>(key: keyof ProfileOverride, base: T): T => {
    const fromCli = cli[key] as T | undefined;
    if (fromCli !== undefined) {
      changes.push(`${key} ${String(fromCli)} (command line; profile ${String(base)})`);
      return fromCli;
    }
    const fromRelease = override[key] as T | undefined;
    if (fromRelease !== undefined) {
      changes.push(`${key} ${String(fromRelease)} (release override; profile ${String(base)})`);
      return fromRelease;
    }
    return base;
  };
  const targetLufs = pick<Lufs | null>('targetLufs', profile.targetLufs);
  let ceilingDbtp = pick<Dbtp>('truePeakDbtp', profile.truePeakDbtp);
  const ceilingOverridden = cli.truePeakDbtp !== undefined || override.truePeakDbtp !== undefined;
  if (
    !ceilingOverridden &&
    profile.loudCeiling &&
    targetLufs !== null &&
    targetLufs > profile.loudCeiling.aboveLufs
  ) {
    ceilingDbtp = profile.loudCeiling.truePeakDbtp;
    changes.push(
      `ceiling ${ceilingDbtp} dBTP: target ${targetLufs} LUFS is louder than ${profile.loudCeiling.aboveLufs} LUFS (profile rule)`,
    );
  }
  const sampleRate = pick<Hertz | 'source'>('sampleRate', profile.sampleRate);
  const bitDepth = pick<16 | 24 | 32>('bitDepth', profile.bitDepth);
  const policy = pick<LoudnessPolicy>('policy', profile.policy);
  let container = cli.container ?? profile.container;
  if (cli.container && cli.container !== profile.container)
    changes.push(`container ${cli.container} (command line; profile ${profile.container})`);
  if (bitDepth === 32 && container !== 'wav') {
    changes.push(`container wav: 32-bit float cannot go in ${container}`);
    container = 'wav';
  }
  if (!Number.isFinite(ceilingDbtp) || ceilingDbtp > 0 || ceilingDbtp < -9)
    throw new RangeError(`ceiling must be in [-9, 0] dBTP, got ${ceilingDbtp}`);
  if (targetLufs !== null && !(targetLufs >= -40 && targetLufs <= -5))
    throw new RangeError(`target must be in [-40, -5] LUFS, got ${targetLufs}`);
  if (![16, 24, 32].includes(bitDepth))
    throw new RangeError(`bit depth must be 16, 24 or 32, got ${String(bitDepth)}`);
  if (sampleRate !== 'source' && !STANDARD_SAMPLE_RATES.includes(sampleRate)) {
    throw new RangeError(
      `sample rate must be one of ${STANDARD_SAMPLE_RATES.join(', ')} Hz, got ${sampleRate}`,
    );
  }
  const noiseShaping = cli.noiseShaping ?? profile.noiseShaping;
  if (cli.noiseShaping && cli.noiseShaping !== profile.noiseShaping)
    changes.push(`noise shaping ${cli.noiseShaping} (command line)`);
  const eq = cli.eq ?? profile.eq;
  if (cli.eq) changes.push(`eq ${cli.eq.mode === 'curve' ? cli.eq.curve : cli.eq.mode} (command line)`);
  const compression = cli.compression ?? profile.compression;
  if (cli.compression && cli.compression !== profile.compression)
    changes.push(`compression ${cli.compression} (command line)`);
  return Object.freeze({
    profile,
    name: profile.name,
    targetLufs,
    toleranceLu: profile.toleranceLu,
    ceilingDbtp,
    peakMarginDb: profile.peakMarginDb,
    sampleRate,
    minSampleRate: profile.minSampleRate,
    maxSampleRate: profile.maxSampleRate,
    bitDepth,
    container,
    noiseShaping,
    policy,
    subsonicHz: profile.subsonicHz,
    eq,
    compression,
    multichannel: profile.multichannel,
    ceilingOverridden,
    changes: Object.freeze(changes),
  });
}

/**
 * The output rate for a source rate: the profile's fixed rate; or the source rate when it is a
 * standard rate within the profile's bounds; above the bounds the highest allowed rate of the same
 * family (44.1 kHz or 48 kHz multiples), below them the lowest allowed rate.
 */
export function chooseSampleRate(
  profile: Pick<ResolvedProfile, 'sampleRate' | 'minSampleRate' | 'maxSampleRate'>,
  sourceRate: Hertz,
): Hertz {
  if (profile.sampleRate !== 'source') return profile.sampleRate;
  const allowed = STANDARD_SAMPLE_RATES.filter(
    (r) => r >= profile.minSampleRate && r <= profile.maxSampleRate,
  );
  if (allowed.includes(sourceRate)) return sourceRate;
  if (sourceRate < allowed[0]) return allowed[0];
  const family = sourceRate % 11025 === 0 ? 11025 : sourceRate % 8000 === 0 ? 8000 : 0;
  const below = allowed.filter((r) => r <= sourceRate);
  const same = below.filter((r) => family > 0 && r % family === 0);
  if (same.length) return same[same.length - 1];
  if (below.length) return below[below.length - 1];
  return allowed[0];
}

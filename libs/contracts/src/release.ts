import { z } from 'zod';
import { validateRoute } from './steps';

/** C0 controls and DEL; `allowWhitespace` lets tab, line feed and carriage return through. */
export function hasControlCharacters(s: string, allowWhitespace: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7f || (c < 0x20 && !(allowWhitespace && (c === 0x09 || c === 0x0a || c === 0x0d))))
      return true;
  }
  return false;
}

/**
 * What a client submits: a release (metadata + tracks + delivery profiles). Structure and sizes are
 * checked here, at the boundary; identifier check digits are checked by ingest, which fails the
 * track with a stable code (so the CLI and the API report them the same way).
 */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // control characters other than tab and newlines have no place in metadata (and break XML 1.0)
    .refine((s) => !hasControlCharacters(s, true), 'contains control characters');

/** A file name as the client named it: kept for display, never used as a path. */
export const ClientFileName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !hasControlCharacters(s, false), 'contains control characters');

export const StemSubmission = z.object({
  name: text(64),
  fileName: ClientFileName,
  /** Linear gain in dB applied before summing (a person's override of the automatic recipe). */
  gainDb: z.number().min(-60).max(24).optional(),
});
export type StemSubmission = z.infer<typeof StemSubmission>;

export const TrackSubmission = z
  .object({
    title: text(500),
    artist: text(500).optional(),
    isrc: z.string().max(32).optional(),
    explicit: z.boolean().optional(),
    /** A stereo (or mono) master: one file. */
    fileName: ClientFileName.optional(),
    /** Or a set of stems that mixing sums to a stereo mix. */
    stems: z.array(StemSubmission).min(1).max(64).optional(),
    route: z.array(z.string()).max(5).optional(),
  })
  .superRefine((t, ctx) => {
    if (!t.fileName === !t.stems) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either fileName (a master) or stems, not both or neither',
      });
    }
    if (t.route) {
      const problem = validateRoute(t.route);
      if (problem) ctx.addIssue({ code: 'custom', path: ['route'], message: problem });
    }
  });
export type TrackSubmission = z.infer<typeof TrackSubmission>;

/** A person's override of a delivery profile's defaults, per release. */
export const ProfileOverride = z.object({
  targetLufs: z.number().min(-40).max(-5).optional(),
  truePeakDbtp: z.number().min(-9).max(0).optional(),
  sampleRate: z
    .union([
      z.literal(44100),
      z.literal(48000),
      z.literal(88200),
      z.literal(96000),
      z.literal(176400),
      z.literal(192000),
    ])
    .optional(),
  bitDepth: z.union([z.literal(16), z.literal(24), z.literal(32)]).optional(),
  /** When the target cannot be met with linear gain under the ceiling: limit, or deliver quieter and say so. */
  policy: z.enum(['limit', 'quieter']).optional(),
});
export type ProfileOverride = z.infer<typeof ProfileOverride>;

export const MasteringOptions = z.object({
  /** One gain for the whole release, anchored on its loudest track (album mode). */
  album: z.boolean().optional(),
  overrides: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), ProfileOverride).optional(),
});
export type MasteringOptions = z.infer<typeof MasteringOptions>;

export const ReleaseSubmission = z.object({
  title: text(500),
  artist: text(500),
  upc: z.string().max(32).optional(),
  label: text(500).optional(),
  genre: text(100).optional(),
  releaseDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .optional(),
  /** Mastering targets (profile names); each yields its own deliverable. */
  profiles: z
    .array(z.string().regex(/^[a-z0-9-]{1,40}$/))
    .min(1)
    .max(16)
    .default(['spotify']),
  mastering: MasteringOptions.optional(),
  tracks: z.array(TrackSubmission).min(1).max(200),
  webhook: z.object({ url: z.url({ protocol: /^https?$/ }) }).optional(),
  /** Free-form client reference echoed back (e.g. the distributor's own job id). */
  clientReference: z.string().max(200).optional(),
});
export type ReleaseSubmission = z.infer<typeof ReleaseSubmission>;
export type ReleaseSubmissionInput = z.input<typeof ReleaseSubmission>;

/** The stored form of a release: the submission plus the ids the system gave it. */
export const ReleaseRecord = z.object({
  schema: z.literal('pressline.release.v1'),
  tenantId: z.string(),
  releaseId: z.string(),
  createdAt: z.string(),
  submission: ReleaseSubmission,
  tracks: z.array(
    z.object({
      trackId: z.string(),
      position: z.number().int().min(1),
      route: z.array(z.string()),
      /** Storage keys where the uploads land: one for a master, one per stem. */
      sources: z.array(z.object({ name: z.string(), fileName: z.string(), key: z.string() })),
    }),
  ),
});
export type ReleaseRecord = z.infer<typeof ReleaseRecord>;

/** Formats zod issues as one readable line per problem: `tracks.0.title: Too small ...`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

import { z } from 'zod';
import { STEP_NAMES } from '../steps';

export const STEP_STATES = [
  'queued',
  'started',
  'progress',
  'retried',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export const StepError = z.object({
  code: z.string(),
  reason: z.string(),
  retryable: z.boolean(),
});
export type StepError = z.infer<typeof StepError>;

/**
 * pressline.status.v1: one status change of one step of one track, or of the whole release
 * (step "release", no trackId). `eventId` is deterministic for outcomes (succeeded, failed) so that
 * consumers drop the duplicates that at-least-once delivery produces.
 */
export const StatusEventV1 = z
  .object({
    schema: z.literal('pressline.status.v1'),
    eventId: z.string().min(1),
    tenantId: z.string().min(1),
    releaseId: z.string().min(1),
    trackId: z.string().min(1).optional(),
    jobId: z.string().min(1),
    step: z.union([z.enum(STEP_NAMES), z.literal('release')]),
    state: z.enum(STEP_STATES),
    progress: z.number().min(0).max(100).optional(),
    attempt: z.number().int().min(1).optional(),
    error: StepError.optional(),
    /** Artifacts written by the step (name -> key), on success. */
    outputs: z.record(z.string(), z.string()).optional(),
    /** Small result summary of the step (e.g. loudness figures), on success. */
    summary: z.record(z.string(), z.unknown()).optional(),
    /** True when this step ended the track's route (last step succeeded, or any failure). */
    trackEnded: z.boolean().optional(),
    worker: z.string().optional(),
    at: z.string(),
  })
  .refine((e) => e.step === 'release' || e.trackId !== undefined, {
    message: 'trackId is required for track steps',
  });
export type StatusEventV1 = z.infer<typeof StatusEventV1>;

import { z } from 'zod';
import { STEP_NAMES } from '../steps';

/**
 * pressline.step.requested.v1: work for one stage on one track. Carries storage keys, never audio.
 * `inputs` accumulates the artifacts of earlier steps (name -> key); `route` is the whole path of the
 * track so that each stage knows what comes next.
 */
export const StepRequestV1 = z.object({
  schema: z.literal('pressline.step.requested.v1'),
  messageId: z.string().min(1),
  tenantId: z.string().min(1),
  releaseId: z.string().min(1),
  trackId: z.string().min(1),
  /** One job = one run of a track through its route; a retry of a failed track starts a new job. */
  jobId: z.string().min(1),
  step: z.enum(STEP_NAMES),
  route: z.array(z.enum(STEP_NAMES)).min(1),
  inputs: z.record(z.string(), z.string()),
  /** Release-level options that influence outputs (profiles ...). Hashed into output keys. */
  params: z.record(z.string(), z.unknown()).default({}),
  /** How many times this request was deferred (StageDeferred) so far; optional, added in place (v1). */
  deferrals: z.number().int().min(0).optional(),
  requestedAt: z.string(),
});
export type StepRequestV1 = z.infer<typeof StepRequestV1>;

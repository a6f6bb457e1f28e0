import { z } from 'zod';

/** pressline.release.requested.v1: a track of the release has ended; packaging checks for completeness. */
export const ReleaseRequestedV1 = z.object({
  schema: z.literal('pressline.release.requested.v1'),
  messageId: z.string().min(1),
  tenantId: z.string().min(1),
  releaseId: z.string().min(1),
  trackId: z.string().min(1),
  requestedAt: z.string(),
});
export type ReleaseRequestedV1 = z.infer<typeof ReleaseRequestedV1>;

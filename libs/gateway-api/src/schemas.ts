import { z } from 'zod';
import { ReleaseSubmission } from '@pressline/contracts';

/** JSON Schemas of the request bodies, generated from the same zod schemas that validate them. */
export const releaseSubmissionSchema = z.toJSONSchema(ReleaseSubmission, {
  io: 'input',
  unrepresentable: 'any',
}) as Record<string, unknown>;
export const batchSubmissionSchema = {
  type: 'object',
  required: ['releases'],
  properties: { releases: { type: 'array', minItems: 1, maxItems: 100, items: releaseSubmissionSchema } },
};

import { z } from 'zod';
import { ReleaseRequestedV1 } from './release-requested.v1';
import { StatusEventV1 } from './status-event.v1';
import { StepRequestV1 } from './step-request.v1';

export * from './release-requested.v1';
export * from './status-event.v1';
export * from './step-request.v1';

/** Every message schema by its `schema` id (= CloudEvents type). Readers accept all listed versions. */
export const MESSAGE_SCHEMAS = {
  'pressline.step.requested.v1': StepRequestV1,
  'pressline.release.requested.v1': ReleaseRequestedV1,
  'pressline.status.v1': StatusEventV1,
} as const;
export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export type MessageOf<T extends MessageType> = z.infer<(typeof MESSAGE_SCHEMAS)[T]>;

export class MessageParseError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(message);
    this.name = 'MessageParseError';
  }
}

/**
 * Parses raw bytes into one of the `accepted` message types, or throws MessageParseError with
 * a readable reason (bad JSON, unknown schema, invalid fields).
 */
export function parseMessage<T extends MessageType>(
  raw: Buffer | string | null,
  accepted: readonly T[],
): MessageOf<T> {
  if (raw === null || raw.length === 0) throw new MessageParseError('empty message', []);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (e) {
    throw new MessageParseError(`not JSON: ${(e as Error).message}`, []);
  }
  const schemaId = (value as { schema?: unknown } | null)?.schema;
  if (typeof schemaId !== 'string' || !(accepted as readonly string[]).includes(schemaId)) {
    throw new MessageParseError(
      `unexpected message schema ${JSON.stringify(schemaId)}; accepted: ${accepted.join(', ')}`,
      [],
    );
  }
  const result = MESSAGE_SCHEMAS[schemaId as T].safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MessageParseError(`invalid ${schemaId}: ${issues.join('; ')}`, issues);
  }
  return result.data as MessageOf<T>;
}

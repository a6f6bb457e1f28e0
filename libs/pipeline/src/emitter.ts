import { randomUUID } from 'node:crypto';
import {
  digest,
  Headers,
  Topics,
  type ReleaseRequestedV1,
  type StatusEventV1,
  type StepName,
  type StepRequestV1,
} from '@pressline/contracts';
import type { MessageBus, ReceivedMessage } from './bus';

type StatusInput = Omit<StatusEventV1, 'schema' | 'eventId' | 'at' | 'worker'> & { eventId?: string };

/**
 * Everything the runtime publishes, with CloudEvents-style headers. Outcome events and follow-up
 * requests get deterministic ids so that consumers can drop the duplicates of redeliveries.
 */
export class Emitter {
  constructor(
    private readonly bus: MessageBus,
    private readonly source: string,
  ) {}

  private headers(id: string, type: string, correlationId: string): Record<string, string> {
    return {
      [Headers.id]: id,
      [Headers.type]: type,
      [Headers.source]: this.source,
      [Headers.time]: new Date().toISOString(),
      [Headers.specVersion]: '1.0',
      [Headers.correlationId]: correlationId,
      [Headers.contentType]: 'application/json',
    };
  }

  async status(input: StatusInput): Promise<StatusEventV1> {
    const deterministic =
      input.state === 'succeeded' ||
      input.state === 'failed' ||
      input.state === 'cancelled' ||
      input.state === 'queued';
    const eventId =
      input.eventId ??
      (deterministic
        ? `evt_${digest({ t: input.trackId, r: input.releaseId, j: input.jobId, s: input.step, st: input.state })}`
        : `evt_${randomUUID()}`);
    const event: StatusEventV1 = {
      ...input,
      schema: 'pressline.status.v1',
      eventId,
      worker: this.source,
      at: new Date().toISOString(),
    };
    await this.bus.publish(Topics.status, [
      {
        key: input.trackId ?? input.releaseId,
        value: JSON.stringify(event),
        headers: this.headers(eventId, event.schema, input.jobId),
      },
    ]);
    return event;
  }

  async stepRequest(
    request: Omit<StepRequestV1, 'schema' | 'messageId' | 'requestedAt'>,
  ): Promise<StepRequestV1> {
    const messageId = `msg_${digest({ j: request.jobId, t: request.trackId, s: request.step, i: request.inputs, d: request.deferrals ?? 0 })}`;
    const message: StepRequestV1 = {
      ...request,
      schema: 'pressline.step.requested.v1',
      messageId,
      requestedAt: new Date().toISOString(),
    };
    await this.bus.publish(Topics.stepRequested(request.step), [
      {
        key: request.trackId,
        value: JSON.stringify(message),
        headers: this.headers(messageId, message.schema, request.jobId),
      },
    ]);
    await this.status({
      tenantId: request.tenantId,
      releaseId: request.releaseId,
      trackId: request.trackId,
      jobId: request.jobId,
      step: request.step,
      state: 'queued',
    });
    return message;
  }

  async releaseRequested(input: {
    tenantId: string;
    releaseId: string;
    trackId: string;
    jobId: string;
  }): Promise<void> {
    const messageId = `msg_${digest({ rr: input.releaseId, t: input.trackId, j: input.jobId })}`;
    const message: ReleaseRequestedV1 = {
      schema: 'pressline.release.requested.v1',
      messageId,
      tenantId: input.tenantId,
      releaseId: input.releaseId,
      trackId: input.trackId,
      requestedAt: new Date().toISOString(),
    };
    await this.bus.publish(Topics.releaseRequested, [
      {
        key: input.releaseId,
        value: JSON.stringify(message),
        headers: this.headers(messageId, message.schema, input.releaseId),
      },
    ]);
  }

  /** Sets a message aside with its original bytes and headers, plus why and where it came from. */
  async deadLetter(
    step: StepName | 'release',
    original: ReceivedMessage,
    code: string,
    reason: string,
  ): Promise<void> {
    await this.bus.publish(Topics.deadLetter(step), [
      {
        key: original.key ?? 'unkeyed',
        value: original.value ?? Buffer.alloc(0),
        headers: {
          ...original.headers,
          [Headers.deadLetterCode]: code,
          [Headers.deadLetterReason]: reason.slice(0, 2000),
          [Headers.deadLetterTopic]: original.topic,
          [Headers.deadLetterPartition]: String(original.partition),
          [Headers.deadLetterOffset]: original.offset,
          [Headers.source]: this.source,
        },
      },
    ]);
  }
}

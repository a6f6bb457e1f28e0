import type { StepName } from './steps';

/**
 * Topic names: `pressline.<stage>.<event>`. Never rename a topic: add a new one.
 * Keys: track id for track messages (order per track), release id for release messages.
 */
export const Topics = Object.freeze({
  /** Work for a stage: a StepRequest. */
  stepRequested: (step: StepName): string => `pressline.${step}.requested`,
  /** Messages a stage could not process, with the original bytes and the reason. */
  deadLetter: (step: StepName | 'release'): string => `pressline.${step}.dead-letter`,
  /** Every status change of every step of every track (StatusEvent), keyed by track id. */
  status: 'pressline.jobs.status',
  /** A track reached its end (succeeded or failed): packaging checks whether the release is complete. */
  releaseRequested: 'pressline.packaging.release-requested',
});

export function allTopics(steps: readonly StepName[]): string[] {
  return [
    ...steps.map((s) => Topics.stepRequested(s)),
    ...steps.map((s) => Topics.deadLetter(s)),
    Topics.deadLetter('release'),
    Topics.status,
    Topics.releaseRequested,
  ];
}

/** CloudEvents-style headers carried by every message (binary content mode, Kafka protocol binding). */
export const Headers = Object.freeze({
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  specVersion: 'ce_specversion',
  correlationId: 'ce_correlationid',
  contentType: 'content-type',
  /** On dead letters: why the message was set aside, and where it came from. */
  deadLetterReason: 'pressline_dlq_reason',
  deadLetterCode: 'pressline_dlq_code',
  deadLetterTopic: 'pressline_dlq_topic',
  deadLetterPartition: 'pressline_dlq_partition',
  deadLetterOffset: 'pressline_dlq_offset',
});

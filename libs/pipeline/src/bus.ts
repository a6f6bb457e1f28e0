/**
 * The project's own messaging interface. Two transports implement it with the same semantics:
 * Kafka (distributed) and in-memory (embedded). At-least-once: a message is committed only after
 * its handler resolved; a handler that throws gets the same message again (after a pause) until it
 * resolves or the subscription stops. Order is kept per key within a topic.
 */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers?: Record<string, string>;
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

export interface DeliveryContext {
  /** Tells the broker this consumer is alive (a long job calls it periodically; the runtime does). */
  heartbeat(): Promise<void>;
  /** Aborted when the subscription is stopping: long waits should end early (without committing). */
  readonly signal: AbortSignal;
}

export type MessageHandler = (message: ReceivedMessage, context: DeliveryContext) => Promise<void>;

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Partitions processed in parallel by this subscriber. */
  readonly concurrency: number;
  readonly handler: MessageHandler;
  /** Where a new consumer group starts: the earliest message (default) or only new ones. */
  readonly fromBeginning?: boolean;
}

export interface Subscription {
  /** Stops taking messages, waits for in-flight handlers (up to the drain timeout), then leaves. */
  stop(): Promise<void>;
}

export interface MessageBus {
  readonly kind: 'kafka' | 'memory';
  ensureTopics(topics: readonly string[]): Promise<void>;
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/** Pause before redelivering a message whose handler threw (transport-level failures only). */
export function redeliveryDelayMs(failures: number): number {
  return Math.min(30_000, 200 * 2 ** Math.min(failures, 8));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves true when `work` settles within `ms`, false otherwise; leaves no timer behind. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Deterministic partition of a key (FNV-1a), for the in-memory transport. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

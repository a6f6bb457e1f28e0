import type { Logger } from 'pino';
import {
  partitionOf,
  redeliveryDelayMs,
  settlesWithin,
  sleep,
  type MessageBus,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from './bus';

interface StoredMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

class Partition {
  readonly messages: StoredMessage[] = [];
  /** Offset of messages[0]: consumed messages are dropped once every group has passed them. */
  base = 0;
  get end(): number {
    return this.base + this.messages.length;
  }
}

class Topic {
  readonly partitions: Partition[];
  constructor(count: number) {
    this.partitions = Array.from({ length: count }, () => new Partition());
  }
}

/**
 * The embedded transport: topics and partitions in memory, one offset per consumer group and
 * partition, the same at-least-once and per-key ordering semantics as the Kafka transport.
 */
export class MemoryBus implements MessageBus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, Topic>();
  /** groupId -> topic -> committed offset per partition */
  private readonly offsets = new Map<string, Map<string, number[]>>();
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly options: { partitions: number; drainTimeoutMs: number; logger?: Logger } = {
      partitions: 4,
      drainTimeoutMs: 60_000,
    },
  ) {}

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = new Topic(this.options.partitions);
      this.topics.set(name, t);
    }
    return t;
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.topic(t);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const t = this.topic(topic);
    for (const m of messages) {
      t.partitions[partitionOf(m.key, t.partitions.length)].messages.push({
        key: m.key,
        value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value),
        headers: { ...(m.headers ?? {}) },
      });
    }
    for (const wake of [...this.wakers]) wake();
  }

  /** Messages published to a topic and not yet trimmed (tests and diagnostics). */
  peek(topic: string): ReceivedMessage[] {
    const t = this.topics.get(topic);
    if (!t) return [];
    return t.partitions.flatMap((p, partition) =>
      p.messages.map((m, i) => ({
        topic,
        partition,
        offset: String(p.base + i),
        key: m.key,
        value: m.value,
        headers: m.headers,
      })),
    );
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const controller = new AbortController();
    const group = this.groupOffsets(options.groupId);
    const work: Array<{ topic: string; partition: number }> = [];
    for (const name of options.topics) {
      const t = this.topic(name);
      if (!group.has(name))
        group.set(
          name,
          t.partitions.map((p) => (options.fromBeginning === false ? p.end : p.base)),
        );
      t.partitions.forEach((_, partition) => work.push({ topic: name, partition }));
    }
    // Each lane owns a fixed share of the partitions, so that order per key holds.
    const lanes = Math.max(1, Math.min(options.concurrency, work.length));
    const running = Array.from({ length: lanes }, (_, lane) =>
      this.runLane(
        options,
        work.filter((_, i) => i % lanes === lane),
        group,
        controller.signal,
      ),
    );
    const all = Promise.all(running);
    return {
      stop: async () => {
        controller.abort();
        for (const wake of [...this.wakers]) wake();
        await settlesWithin(all, this.options.drainTimeoutMs);
      },
    };
  }

  private groupOffsets(groupId: string): Map<string, number[]> {
    let g = this.offsets.get(groupId);
    if (!g) {
      g = new Map();
      this.offsets.set(groupId, g);
    }
    return g;
  }

  private async runLane(
    options: SubscribeOptions,
    assigned: Array<{ topic: string; partition: number }>,
    group: Map<string, number[]>,
    signal: AbortSignal,
  ): Promise<void> {
    const failures = new Map<string, number>();
    while (!signal.aborted) {
      let didWork = false;
      for (const { topic, partition } of assigned) {
        if (signal.aborted) break;
        const p = this.topic(topic).partitions[partition];
        const committed = group.get(topic)!;
        const offset = committed[partition];
        if (offset >= p.end) continue;
        const stored = p.messages[offset - p.base];
        const message: ReceivedMessage = {
          topic,
          partition,
          offset: String(offset),
          key: stored.key,
          value: stored.value,
          headers: stored.headers,
        };
        didWork = true;
        try {
          await options.handler(message, { heartbeat: async () => undefined, signal });
          committed[partition] = offset + 1;
          failures.delete(`${topic}/${partition}`);
          this.trim(topic);
        } catch (e) {
          const n = (failures.get(`${topic}/${partition}`) ?? 0) + 1;
          failures.set(`${topic}/${partition}`, n);
          this.options.logger?.warn(
            { err: e, topic, partition, offset },
            'handler failed; the message will be redelivered',
          );
          await sleep(redeliveryDelayMs(n), signal);
        }
      }
      if (!didWork) await this.waitForMessages(signal);
    }
  }

  private waitForMessages(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
    });
  }

  /** Drops messages every consumer group has committed. */
  private trim(topic: string): void {
    const t = this.topic(topic);
    t.partitions.forEach((p, partition) => {
      let min = p.end;
      for (const g of this.offsets.values()) {
        const o = g.get(topic);
        if (o) min = Math.min(min, o[partition]);
      }
      const drop = min - p.base;
      if (drop > 256) {
        p.messages.splice(0, drop);
        p.base = min;
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.wakers]) wake();
  }
}

import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import {
  redeliveryDelayMs,
  settlesWithin,
  sleep,
  type MessageBus,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from './bus';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Longer than a heartbeat gap can ever be; the runtime heartbeats every few seconds while a job runs. */
  readonly sessionTimeoutMs: number;
  /** How long a rebalance waits for members to finish their in-flight messages. */
  readonly rebalanceTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * kafkajs 2.2.4 arms a timer with a negative delay whenever nothing is throttled
 * (network/requestQueue scheduleCheckPendingRequests); Node clamps it to 1 ms and prints a
 * TimeoutNegativeWarning each time. Harmless, and noise in every log: drop that warning type only.
 */
function silenceKafkajsNegativeTimeouts(): void {
  const marker = Symbol.for('pressline.kafkajs-timeout-warning-filter');
  const p = process as NodeJS.Process & { [marker]?: boolean };
  if (p[marker]) return;
  p[marker] = true;
  // Node prints warnings through its own 'warning' listener: replace it by one that skips this type.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const print of printers) print(warning);
  });
}

function toKafkaHeaders(headers: Record<string, string> | undefined): IHeaders | undefined {
  return headers ? { ...headers } : undefined;
}

function fromKafkaHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/**
 * The distributed transport, on kafkajs. Offsets are committed by hand after the handler
 * resolved (autoCommit off), the handler heartbeats while it works, a handler that throws gets
 * the message again after a pause (no kafkajs consumer restart), and stop() drains in-flight
 * handlers before leaving the group.
 */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly options: KafkaBusOptions) {
    silenceKafkajsNegativeTimeouts();
    const log = options.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: KafkaLogLevel.WARN,
      retry: { initialRetryTime: 300, retries: 10 },
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...rest } = entry;
          if (level <= KafkaLogLevel.ERROR) log.error(rest, message);
          else if (level === KafkaLogLevel.WARN) log.warn(rest, message);
          else log.debug(rest, message);
        },
    });
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.partitions,
            replicationFactor: this.options.replicationFactor ?? 1,
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async getProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (!this.producerReady) {
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        // Not kafkajs's idempotent mode (it wants unbounded retries): duplicates are expected
        // anyway (at-least-once) and consumers drop them by their deterministic ids.
        maxInFlightRequests: 1,
      });
      this.producerReady = producer.connect().then(() => {
        this.producer = producer;
        return producer;
      });
      this.producerReady.catch(() => {
        this.producerReady = null;
      });
    }
    return this.producerReady;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.getProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: toKafkaHeaders(m.headers) })),
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      rebalanceTimeout: this.options.rebalanceTimeoutMs,
      heartbeatInterval: Math.max(1000, Math.floor(this.options.sessionTimeoutMs / 5)),
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.consumers.add(consumer);
    const controller = new AbortController();
    const inFlight = new Set<Promise<void>>();
    const log = this.options.logger.child({ component: 'kafka-consumer', groupId: options.groupId });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachMessage: async (payload) => {
        const { topic, partition, message } = payload;
        const heartbeat = (): Promise<void> => payload.heartbeat();
        if (controller.signal.aborted) {
          // Stopping: leave the message uncommitted; the next owner of the partition gets it.
          throw new Error('consumer is stopping');
        }
        const received: ReceivedMessage = {
          topic,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value,
          headers: fromKafkaHeaders(message.headers),
        };
        const work = (async () => {
          let failures = 0;
          for (;;) {
            try {
              await options.handler(received, { heartbeat, signal: controller.signal });
              break;
            } catch (e) {
              if (controller.signal.aborted) throw e;
              failures++;
              log.warn(
                { err: e, topic, partition, offset: message.offset, failures },
                'handler failed; retrying the message',
              );
              await sleepWithHeartbeat(redeliveryDelayMs(failures), heartbeat, controller.signal);
            }
          }
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
        })();
        inFlight.add(work);
        try {
          await work;
        } finally {
          inFlight.delete(work);
        }
      },
    });
    return {
      stop: async () => {
        if (controller.signal.aborted) return;
        controller.abort();
        const drained = await settlesWithin(Promise.allSettled([...inFlight]), this.options.drainTimeoutMs);
        if (!drained)
          log.warn({ inFlight: inFlight.size }, 'drain timed out; uncommitted messages will be redelivered');
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producer) await this.producer.disconnect();
    this.producer = null;
    this.producerReady = null;
  }
}

async function sleepWithHeartbeat(
  ms: number,
  heartbeat: () => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const until = Date.now() + ms;
  while (!signal.aborted && Date.now() < until) {
    await sleep(Math.min(2000, until - Date.now()), signal);
    await heartbeat().catch(() => undefined);
  }
}

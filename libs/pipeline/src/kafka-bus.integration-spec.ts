import { randomUUID } from 'node:crypto';
import { silentLogger } from '@pressline/logging';
import { kafkaBrokersFromEnv } from '../../testing/src/infra-env';
import type { ReceivedMessage } from './bus';
import { KafkaBus } from './kafka-bus';

// Against the real Apache Kafka broker (the local stack, or a container): never a mock.
function newBus(): KafkaBus {
  return new KafkaBus({
    brokers: kafkaBrokersFromEnv(),
    clientId: 'pressline-it',
    partitions: 3,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 12_000,
    drainTimeoutMs: 10_000,
    logger: silentLogger(),
  });
}

async function until(predicate: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('KafkaBus against a real broker', () => {
  jest.setTimeout(90_000);
  const buses: KafkaBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });
  const bus = (): KafkaBus => {
    const b = newBus();
    buses.push(b);
    return b;
  };

  it('delivers messages with their headers, in order per key', async () => {
    const b = bus();
    const topic = `it.order.${randomUUID()}`;
    await b.ensureTopics([topic]);
    const got: ReceivedMessage[] = [];
    const sub = await b.subscribe({
      groupId: `g-${randomUUID()}`,
      topics: [topic],
      concurrency: 3,
      handler: async (m) => void got.push(m),
    });
    for (let i = 0; i < 20; i++) {
      await b.publish(topic, [
        { key: `track-${i % 4}`, value: JSON.stringify({ i }), headers: { ce_id: `id-${i}` } },
      ]);
    }
    await until(() => got.length === 20, '20 messages');
    await sub.stop();
    for (let k = 0; k < 4; k++) {
      const seq = got
        .filter((m) => m.key === `track-${k}`)
        .map((m) => (JSON.parse(m.value!.toString()) as { i: number }).i);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(got.find((m) => m.key === 'track-1')?.headers.ce_id).toMatch(/^id-/);
  });

  it('redelivers a message whose handler threw, and commits it once it succeeds', async () => {
    const b = bus();
    const topic = `it.retry.${randomUUID()}`;
    const groupId = `g-${randomUUID()}`;
    await b.ensureTopics([topic]);
    let attempts = 0;
    const sub = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async () => {
        attempts++;
        if (attempts < 3) throw new Error('transient');
      },
    });
    await b.publish(topic, [{ key: 'k', value: 'v' }]);
    await until(() => attempts === 3, 'three attempts');
    await sub.stop();
    // A new member of the same group starts after the committed offset: nothing is delivered again.
    let again = 0;
    const sub2 = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async () => void again++,
    });
    await b.publish(topic, [{ key: 'k', value: 'second' }]);
    await until(() => again === 1, 'the second message only');
    await new Promise((r) => setTimeout(r, 500));
    expect(again).toBe(1);
    await sub2.stop();
  });

  it('gives an uncommitted message to the next member after a stop', async () => {
    const b = bus();
    const topic = `it.uncommitted.${randomUUID()}`;
    const groupId = `g-${randomUUID()}`;
    await b.ensureTopics([topic]);
    let seen = 0;
    const sub = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async (_m, ctx) => {
        seen++;
        // A handler that is stopped before finishing throws: its message stays uncommitted.
        await new Promise((r) => setTimeout(r, 200));
        if (ctx.signal.aborted) throw new Error('stopped');
        throw new Error('keep failing until stopped');
      },
    });
    await b.publish(topic, [{ key: 'k', value: 'work' }]);
    await until(() => seen >= 1, 'first delivery');
    await sub.stop();
    const values: string[] = [];
    const sub2 = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async (m) => void values.push(m.value!.toString()),
    });
    await until(() => values.length === 1, 'redelivery to the next member');
    expect(values).toEqual(['work']);
    await sub2.stop();
  });

  it('drains a running handler on stop, then commits it', async () => {
    const b = bus();
    const topic = `it.drain.${randomUUID()}`;
    const groupId = `g-${randomUUID()}`;
    await b.ensureTopics([topic]);
    let finished = 0;
    let started = 0;
    const sub = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async (_m, ctx) => {
        started++;
        for (let i = 0; i < 10; i++) {
          await new Promise((r) => setTimeout(r, 100));
          await ctx.heartbeat();
        }
        finished++;
      },
    });
    await b.publish(topic, [{ key: 'k', value: 'long job' }]);
    await until(() => started === 1, 'the job to start');
    await sub.stop();
    expect(finished).toBe(1);
    let redelivered = 0;
    const sub2 = await b.subscribe({
      groupId,
      topics: [topic],
      concurrency: 1,
      handler: async () => void redelivered++,
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(redelivered).toBe(0);
    await sub2.stop();
  });
});

import type { StartedTestContainer } from 'testcontainers';

const registry = globalThis as typeof globalThis & {
  __presslineStack?: { containers: StartedTestContainer[] };
};

/** Stops what global-setup started with testcontainers; a stack started outside jest stays up. */
export default async function globalTeardown(): Promise<void> {
  const started = registry.__presslineStack;
  if (!started) return;
  registry.__presslineStack = undefined;
  await Promise.all(started.containers.map((c) => c.stop()));
}

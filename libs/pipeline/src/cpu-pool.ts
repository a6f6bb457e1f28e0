import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

/**
 * CPU-heavy work runs off the event loop, so that heartbeats, HTTP and status keep flowing while
 * a track is measured or mastered. A task is a module exporting an async function by name; in
 * production the module is compiled JavaScript and runs in a pool of worker threads. When the
 * module is TypeScript source (unit tests under jest), it runs inline: say so, do not pretend.
 */
export interface CpuPool {
  readonly mode: 'threads' | 'inline';
  run<T>(task: CpuTask, args: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface CpuTask {
  /** Absolute path of the task module, without extension (resolved to .js or .ts). */
  readonly module: string;
  /** Exported function name. */
  readonly name: string;
}

export function createCpuPool(options: { threads?: number } = {}): CpuPool {
  const threads =
    options.threads && options.threads > 0 ? options.threads : Math.max(1, availableParallelism() - 0);
  let piscina: Piscina | null = null;
  const inline = new InlinePool();
  return {
    get mode() {
      return piscina ? 'threads' : 'inline';
    },
    async run<T>(task: CpuTask, args: unknown): Promise<T> {
      const js = `${task.module}.js`;
      if (!existsSync(js)) return inline.run<T>(task, args);
      piscina ??= new Piscina({ minThreads: 1, maxThreads: threads, idleTimeout: 60_000 });
      return (await piscina.run(args, { filename: js, name: task.name })) as T;
    },
    async close() {
      if (piscina) await piscina.destroy();
      piscina = null;
    },
  };
}

/** Runs the task in this thread (tests, or a build without compiled task modules). */
export class InlinePool implements CpuPool {
  readonly mode = 'inline' as const;
  async run<T>(task: CpuTask, args: unknown): Promise<T> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(task.module) as Record<string, (a: unknown) => Promise<T>>;
    const fn = mod[task.name];
    if (typeof fn !== 'function') throw new Error(`task ${task.name} not exported by ${task.module}`);
    return fn(args);
  }
  async close(): Promise<void> {}
}

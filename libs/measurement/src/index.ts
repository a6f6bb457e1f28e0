import { join } from 'node:path';
import type { CpuTask } from '@pressline/pipeline';

export * from './measure-file';

/** The measuring pass as a CPU-pool task (worker thread in production). */
export const MEASURE_TASK: CpuTask = { module: join(__dirname, 'measure.task'), name: 'measure' };
export * from './analysers';

import { tryMeasureFile, type MeasureOutcome } from './measure-file';

/** Worker-thread entry (CpuPool): the measuring pass runs off the event loop. */
export async function measure(args: { file: string; series?: boolean }): Promise<MeasureOutcome> {
  return tryMeasureFile(args.file, { series: args.series });
}

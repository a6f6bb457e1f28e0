import { analyzeFile, type FileAnalysis } from './analyze-file';

/** Worker-thread entry (CpuPool): the CPU-heavy analysis pass runs off the event loop. */
export async function analyze(args: { file: string }): Promise<FileAnalysis> {
  return analyzeFile(args.file);
}

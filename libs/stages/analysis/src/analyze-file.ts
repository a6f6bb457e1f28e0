import { decodeFile } from '@pressline/audio';

/** What `analyze` reports of one file. Field names are a public interface: never rename one. */
export interface FileAnalysis {
  file: string;
  format: { sampleRate: number; channels: number; bitDepth: number | null; durationSeconds: number; codec: string };
  loudness: { samplePeakDbfs: number | null };
}

export interface AnalyzeOptions {
  readonly blockFrames?: number;
}

/**
 * One streaming pass over a file: decode in blocks, feed every analyser the same block, report.
 * Memory stays bounded whatever the duration.
 */
export async function analyzeFile(file: string, _options: AnalyzeOptions = {}): Promise<FileAnalysis> {
  let peak = 0;
  const { format, report } = await decodeFile(file, {}, (block) => {
    for (const ch of block.channels) {
      for (let i = 0; i < ch.length; i++) {
        const v = ch[i] < 0 ? -ch[i] : ch[i];
        if (v > peak) peak = v;
      }
    }
  });
  const a = format.probe.audio;
  return {
    file,
    format: { sampleRate: report.sampleRate, channels: report.channels, bitDepth: a.bitDepth, durationSeconds: report.durationSeconds, codec: a.codecName },
    loudness: { samplePeakDbfs: peak > 0 ? 20 * Math.log10(peak) : null },
  };
}

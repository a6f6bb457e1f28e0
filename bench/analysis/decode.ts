/**
 * Decoding for the analysis bench: @pressline/audio's streaming decode, resampled to 44.1 kHz
 * stereo (what the evaluation feeds every analyser, ours and the peer's alike).
 */
import { decode, type AudioBlock } from '@pressline/audio';

export type PcmBlock = AudioBlock;

export const BENCH_SAMPLE_RATE = 44100;

export async function* decodeForBench(file: string, blockFrames = 65536): AsyncGenerator<PcmBlock> {
  yield* decode(file, { sampleRate: BENCH_SAMPLE_RATE, channels: 2, blockFrames });
}

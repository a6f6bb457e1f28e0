import { decode, encode, type AudioBlock } from '@pressline/audio';
import { dbToGain } from '@pressline/dsp';

export interface StemInput {
  readonly file: string;
  readonly name: string;
  readonly gainDb: number;
}

export interface MixReport {
  readonly sampleRate: number;
  readonly frames: number;
  readonly peak: number;
  readonly stems: Array<{ name: string; gainDb: number }>;
}

/**
 * Sums stems to a stereo mix at the first stem's sample rate, each with its gain (the recipe a
 * person can override), streaming block by block; written as 32-bit float WAV so that a sum above
 * full scale keeps its headroom for mastering.
 */
export async function mixStems(
  stems: readonly StemInput[],
  output: string,
  blockFrames = 32768,
): Promise<MixReport> {
  if (stems.length === 0) throw new RangeError('no stems to mix');
  const first = decode(stems[0].file, { channels: 2, blockFrames });
  const format = await first.open();
  const rate = format.sampleRate;
  const streams = [
    first,
    ...stems.slice(1).map((s) => decode(s.file, { channels: 2, sampleRate: rate, blockFrames })),
  ];
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const gains = stems.map((s) => dbToGain(s.gainDb));
  let frames = 0;
  let peak = 0;
  async function* mixed(): AsyncGenerator<AudioBlock> {
    const pending: Array<AudioBlock | null> = streams.map(() => null);
    const offsets = streams.map(() => 0);
    const done = streams.map(() => false);
    for (;;) {
      const out = [new Float32Array(blockFrames), new Float32Array(blockFrames)];
      let produced = 0;
      for (let s = 0; s < iterators.length; s++) {
        let filled = 0;
        while (filled < blockFrames && !done[s]) {
          if (!pending[s] || offsets[s] >= pending[s]!.frames) {
            const next = await iterators[s].next();
            if (next.done) {
              done[s] = true;
              break;
            }
            pending[s] = next.value;
            offsets[s] = 0;
          }
          const block = pending[s]!;
          const n = Math.min(blockFrames - filled, block.frames - offsets[s]);
          const g = gains[s];
          for (let c = 0; c < 2; c++) {
            const src = block.channels[Math.min(c, block.channels.length - 1)];
            const dst = out[c];
            for (let i = 0; i < n; i++) dst[filled + i] += g * src[offsets[s] + i];
          }
          offsets[s] += n;
          filled += n;
        }
        produced = Math.max(produced, filled);
      }
      if (produced === 0) return;
      const l = out[0].subarray(0, produced);
      const r = out[1].subarray(0, produced);
      for (let i = 0; i < produced; i++) {
        const a = Math.max(Math.abs(l[i]), Math.abs(r[i]));
        if (a > peak) peak = a;
      }
      frames += produced;
      yield { channels: [l, r], frames: produced };
    }
  }
  await encode(mixed(), output, {
    format: { codec: 'wav', sampleFormat: 'f32' },
    sampleRate: rate,
    channels: 2,
  });
  return { sampleRate: rate, frames, peak, stems: stems.map((s) => ({ name: s.name, gainDb: s.gainDb })) };
}

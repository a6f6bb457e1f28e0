import { decodeWav, encodeWav } from './wav';

describe('test WAV codec', () => {
  it.each(['int16', 'int24', 'int32', 'float32'] as const)('round-trips %s within one LSB', (format) => {
    const x = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 7) * 0.9);
    const back = decodeWav(
      encodeWav({ sampleRate: 48000, channels: [x, x] }, { format, extensible: format === 'int24' }),
    );
    expect(back.sampleRate).toBe(48000);
    expect(back.channels).toHaveLength(2);
    const lsb = format === 'int16' ? 1 / 32768 : 1 / 8388608;
    for (let i = 0; i < x.length; i++) expect(Math.abs(back.channels[1][i] - x[i])).toBeLessThanOrEqual(lsb);
  });
});

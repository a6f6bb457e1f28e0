import { Biquad, biquadMagnitude, designBiquad } from './biquad';

describe('designBiquad', () => {
  it('high-pass is -3 dB at its corner with Q = 1/sqrt(2)', () => {
    const c = designBiquad.highPass(48000, 100);
    expect(20 * Math.log10(biquadMagnitude(c, 48000, 100))).toBeCloseTo(-3.0103, 3);
    expect(biquadMagnitude(c, 48000, 10000)).toBeCloseTo(1, 3);
  });
  it('peaking EQ reaches its gain at the centre frequency', () => {
    const c = designBiquad.peaking(44100, 1000, 1, 6);
    expect(20 * Math.log10(biquadMagnitude(c, 44100, 1000))).toBeCloseTo(6, 6);
  });
  it('high shelf reaches its gain far above the corner', () => {
    const c = designBiquad.highShelf(48000, 1000, Math.SQRT1_2, -4);
    expect(20 * Math.log10(biquadMagnitude(c, 48000, 20000))).toBeCloseTo(-4, 1);
  });
  it('refuses a frequency above Nyquist', () => {
    expect(() => designBiquad.lowPass(44100, 30000)).toThrow(RangeError);
  });
});

describe('Biquad', () => {
  it('attenuates a sine in the stop band by the designed amount', () => {
    const fs = 48000;
    const c = designBiquad.highPass(fs, 1000);
    const f = new Biquad(c);
    const n = fs;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * 100 * i) / fs);
    f.process(x);
    let peak = 0;
    for (let i = n / 2; i < n; i++) peak = Math.max(peak, Math.abs(x[i]));
    expect(peak).toBeCloseTo(biquadMagnitude(c, fs, 100), 3);
  });
});

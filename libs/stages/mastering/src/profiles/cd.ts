import { defineProfile } from './profile';

/** CD (Red Book). standards.md: no loudness target, <= 0 dBFS sample peak with -1 dBTP advisable, 16-bit / 44.1 kHz dithered. */
export const cd = defineProfile({
  name: 'cd',
  title: 'CD (Red Book)',
  source:
    'standards.md: no loudness target, <= 0 dBFS sample peak with -1 dBTP advisable, 16-bit / 44.1 kHz dithered',
  targetLufs: null,
  truePeakDbtp: -1,
  noiseShaping: 'lipshitz',
  sampleRate: 44100,
  bitDepth: 16,
  container: 'wav',
  policy: 'quieter',
});

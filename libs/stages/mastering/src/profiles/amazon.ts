import { defineProfile } from './profile';

/** Amazon Music. standards.md: about -14 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24; the stricter -2 dBTP is used. */
export const amazon = defineProfile({
  name: 'amazon',
  title: 'Amazon Music',
  source:
    'standards.md: about -14 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24; the stricter -2 dBTP is used',
  targetLufs: -14,
  truePeakDbtp: -2,
  sampleRate: 'source',
  bitDepth: 24,
  container: 'flac',
  policy: 'limit',
});

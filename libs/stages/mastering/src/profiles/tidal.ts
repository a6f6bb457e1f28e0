import { defineProfile } from './profile';

/** Tidal. standards.md: about -14 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24. */
export const tidal = defineProfile({
  name: 'tidal',
  title: 'Tidal',
  source: 'standards.md: about -14 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24',
  targetLufs: -14,
  truePeakDbtp: -1,
  sampleRate: 'source',
  bitDepth: 24,
  container: 'flac',
  policy: 'limit',
});

import { defineProfile } from './profile';

/** Deezer. standards.md: about -15 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24. */
export const deezer = defineProfile({
  name: 'deezer',
  title: 'Deezer',
  source: 'standards.md: about -15 LUFS, -1 to -2 dBTP (secondary sources), FLAC 16/24',
  targetLufs: -15,
  truePeakDbtp: -1,
  sampleRate: 'source',
  bitDepth: 24,
  container: 'flac',
  policy: 'limit',
});

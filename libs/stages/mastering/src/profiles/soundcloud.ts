import { defineProfile } from './profile';

/** SoundCloud. not in standards.md: SoundCloud publishes no normalisation target; -14 LUFS / -1 dBTP is the common secondary-source advice (it transcodes to lossy at 44.1/48 kHz). */
export const soundcloud = defineProfile({
  name: 'soundcloud',
  title: 'SoundCloud',
  source:
    'not in standards.md: SoundCloud publishes no normalisation target; -14 LUFS / -1 dBTP is the common secondary-source advice (it transcodes to lossy at 44.1/48 kHz)',
  targetLufs: -14,
  truePeakDbtp: -1,
  maxSampleRate: 48000,
  sampleRate: 'source',
  bitDepth: 24,
  container: 'flac',
  policy: 'limit',
});

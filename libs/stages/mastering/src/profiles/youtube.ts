import { defineProfile } from './profile';

/** YouTube. standards.md: -14 LUFS (turn-down only), -1 dBTP; streams Opus at 48 kHz, so the master is delivered at 48 kHz. */
export const youtube = defineProfile({
  name: 'youtube',
  title: 'YouTube',
  source:
    'standards.md: -14 LUFS (turn-down only), -1 dBTP; streams Opus at 48 kHz, so the master is delivered at 48 kHz',
  targetLufs: -14,
  truePeakDbtp: -1,
  sampleRate: 48000,
  bitDepth: 24,
  container: 'flac',
  policy: 'limit',
});

import { defineProfile } from './profile';

/** Spotify. standards.md: -14 LUFS, -1 dBTP (-2 dBTP if louder than -14), FLAC or WAV 16/24-bit stereo >= 44.1 kHz, WAV must be WAVE_FORMAT_PCM. */
export const spotify = defineProfile({
  name: 'spotify',
  title: 'Spotify',
  source:
    'standards.md: -14 LUFS, -1 dBTP (-2 dBTP if louder than -14), FLAC or WAV 16/24-bit stereo >= 44.1 kHz, WAV must be WAVE_FORMAT_PCM',
  targetLufs: -14,
  truePeakDbtp: -1,
  loudCeiling: { aboveLufs: -14, truePeakDbtp: -2 },
  sampleRate: 'source',
  bitDepth: 24,
  container: 'wav',
  policy: 'limit',
});

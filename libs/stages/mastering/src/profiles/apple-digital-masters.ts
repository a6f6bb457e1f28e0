import { defineProfile } from './profile';

/** Apple Music (Apple Digital Masters). standards.md: about -16 LUFS (Sound Check), no inter-sample clipping (about -1 dBTP), 24-bit at the native rate >= 44.1 kHz. */
export const appleDigitalMasters = defineProfile({
  name: 'apple-digital-masters',
  title: 'Apple Music (Apple Digital Masters)',
  source:
    'standards.md: about -16 LUFS (Sound Check), no inter-sample clipping (about -1 dBTP), 24-bit at the native rate >= 44.1 kHz',
  targetLufs: -16,
  truePeakDbtp: -1,
  sampleRate: 'source',
  bitDepth: 24,
  container: 'wav',
  policy: 'quieter',
});

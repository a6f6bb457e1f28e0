import { defineProfile } from './profile';

/** ATSC A/85 broadcast. standards.md: ATSC A/85, -24 LKFS, -2 dBTP; 48 kHz / 24-bit. */
export const broadcastA85 = defineProfile({
  name: 'broadcast-a85',
  title: 'ATSC A/85 broadcast',
  source: 'standards.md: ATSC A/85, -24 LKFS, -2 dBTP; 48 kHz / 24-bit',
  targetLufs: -24,
  truePeakDbtp: -2,
  multichannel: 'refuse',
  sampleRate: 48000,
  bitDepth: 24,
  container: 'wav',
  policy: 'limit',
});

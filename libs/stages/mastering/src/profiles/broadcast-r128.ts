import { defineProfile } from './profile';

/** EBU R128 broadcast. standards.md: EBU R 128, -23 LUFS +-0.2 LU, -1 dBTP (-2 for lossy broadcast codecs: override truePeakDbtp); 48 kHz / 24-bit as broadcasters take it. */
export const broadcastR128 = defineProfile({
  name: 'broadcast-r128',
  title: 'EBU R128 broadcast',
  source:
    'standards.md: EBU R 128, -23 LUFS +-0.2 LU, -1 dBTP (-2 for lossy broadcast codecs: override truePeakDbtp); 48 kHz / 24-bit as broadcasters take it',
  targetLufs: -23,
  truePeakDbtp: -1,
  multichannel: 'refuse',
  sampleRate: 48000,
  bitDepth: 24,
  container: 'wav',
  policy: 'limit',
});

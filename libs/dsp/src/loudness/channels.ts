/**
 * Channel roles and their BS.1770-5 weights.
 *
 * G = 1.0 for front channels (L, R, C, mono), 1.41 for the surrounds (Ls, Rs, and the side
 * surrounds of 7.1, placed at |azimuth| 60..120 degrees), 1.0 for rear surrounds (|azimuth| > 120
 * degrees, BS.1770-5 Table 3) and 0 for the LFE, which the loudness sum excludes (it still counts
 * for true peak and sample peak).
 */
export type ChannelRole =
  'M' | 'L' | 'R' | 'C' | 'LFE' | 'Ls' | 'Rs' | 'Lss' | 'Rss' | 'Lrs' | 'Rrs' | 'other';

export const CHANNEL_WEIGHTS: Readonly<Record<ChannelRole, number>> = Object.freeze({
  M: 1.0,
  L: 1.0,
  R: 1.0,
  C: 1.0,
  LFE: 0.0,
  Ls: 1.41,
  Rs: 1.41,
  Lss: 1.41,
  Rss: 1.41,
  Lrs: 1.0,
  Rrs: 1.0,
  other: 1.0,
});

/**
 * Layout assumed when none is given, by channel count, in WAV / ffmpeg order:
 * 1 = mono, 2 = L R, 5 = L R C Ls Rs, 6 = L R C LFE Ls Rs. Any other count gets 'other'
 * (weight 1.0) on every channel: pass a layout for 3, 4, 7, 8... channel material.
 */
export function defaultLayout(channels: number): ChannelRole[] {
  switch (channels) {
    case 1:
      return ['M'];
    case 2:
      return ['L', 'R'];
    case 5:
      return ['L', 'R', 'C', 'Ls', 'Rs'];
    case 6:
      return ['L', 'R', 'C', 'LFE', 'Ls', 'Rs'];
    default:
      return Array.from({ length: channels }, (): ChannelRole => 'other');
  }
}

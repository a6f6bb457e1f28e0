import { MasteringError } from './errors';

/** How the input's channels become the stereo master. */
export type ChannelMode = 'stereo' | 'dual-mono' | 'downmix-bs775';

export interface ChannelPlan {
  readonly inputChannels: number;
  readonly outputChannels: 2;
  readonly mode: ChannelMode;
  readonly description: string;
}

/** ITU-R BS.775-3 Table 2 down-mix coefficient of the centre and surround channels (-3 dB). */
export const BS775_COEFFICIENT = Math.SQRT1_2;

/**
 * Every master is stereo: mono becomes dual mono (+3.01 dB in BS.1770 loudness, corrected by the
 * loudness gain); 5.0 (L R C Ls Rs), 5.1 (L R C LFE Ls Rs) and 7.1 (L R C LFE Lb Rb Ls Rs, WAV
 * order) are down-mixed per ITU-R BS.775-3 (Lo = L + 0.707 C + 0.707 Ls [+ 0.707 Lb], LFE dropped)
 * when the profile says 'downmix', refused when it says 'refuse'; other counts are refused.
 */
export function planChannels(inputChannels: number, rule: 'downmix' | 'refuse'): ChannelPlan {
  if (inputChannels === 2)
    return { inputChannels, outputChannels: 2, mode: 'stereo', description: 'stereo kept' };
  if (inputChannels === 1) {
    return {
      inputChannels,
      outputChannels: 2,
      mode: 'dual-mono',
      description: 'mono delivered as dual mono (L = R)',
    };
  }
  if (inputChannels === 5 || inputChannels === 6 || inputChannels === 8) {
    const name = inputChannels === 5 ? '5.0' : inputChannels === 6 ? '5.1' : '7.1';
    if (rule === 'refuse') {
      throw new MasteringError(
        'unsupported-channel-layout',
        `${name} input: this profile takes stereo or mono masters and does not down-mix (deliver a stereo master)`,
      );
    }
    return {
      inputChannels,
      outputChannels: 2,
      mode: 'downmix-bs775',
      description: `${name} down-mixed to stereo per ITU-R BS.775-3 (centre and surrounds at -3 dB${inputChannels > 5 ? ', LFE dropped' : ''})`,
    };
  }
  throw new MasteringError(
    'unsupported-channel-layout',
    `${inputChannels} channels: only mono, stereo, 5.0, 5.1 and 7.1 can be mastered`,
  );
}

/** Applies a ChannelPlan to one planar block; returns two new (or the same, for stereo) channels. */
export function remix(plan: ChannelPlan, block: readonly Float32Array[]): Float32Array[] {
  switch (plan.mode) {
    case 'stereo':
      return [block[0], block[1]];
    case 'dual-mono':
      return [block[0], Float32Array.from(block[0])];
    case 'downmix-bs775': {
      const n = block[0].length;
      const l = new Float32Array(n);
      const r = new Float32Array(n);
      const k = BS775_COEFFICIENT;
      const [fl, fr, fc] = block;
      // 5.0: L R C Ls Rs; 5.1: L R C LFE Ls Rs; 7.1: L R C LFE Lb Rb Ls Rs
      const surround: [Float32Array, Float32Array][] =
        block.length === 5
          ? [[block[3], block[4]]]
          : block.length === 6
            ? [[block[4], block[5]]]
            : [
                [block[4], block[5]],
                [block[6], block[7]],
              ];
      for (let i = 0; i < n; i++) {
        l[i] = fl[i] + k * fc[i];
        r[i] = fr[i] + k * fc[i];
      }
      for (const [sl, sr] of surround) {
        for (let i = 0; i < n; i++) {
          l[i] += k * sl[i];
          r[i] += k * sr[i];
        }
      }
      return [l, r];
    }
  }
}

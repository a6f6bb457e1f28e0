import {
  Compressor,
  Resampler,
  StereoWidth,
  SubsonicFilter,
  TonalBalanceEq,
  type CompressorOptions,
  type Gain,
  type Hertz,
  type TonalBalanceDesign,
} from '@pressline/dsp';
import { remix, type ChannelPlan } from './channels';

/** Everything before the loudness gain, in the order the DSP README gives. */
export interface PreChainSpec {
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly channels: ChannelPlan;
  readonly subsonicHz: Hertz | null;
  readonly eq: TonalBalanceDesign | null;
  /** Side gain of the M/S width match; null = untouched. */
  readonly sideGain: Gain | null;
  readonly compressor: Omit<CompressorOptions, 'sampleRate' | 'channels'> | null;
}

/**
 * The pre-gain chain as one streaming processor: channel plan -> subsonic high-pass -> tonal
 * balance EQ -> stereo width -> compressor -> sample-rate conversion. SRC comes last so that the
 * loudness gain and the limiter see the inter-sample peaks of the delivered rate. process() may
 * return fewer or more frames than it got (SRC); flush() returns the rest.
 */
export class PreChain {
  readonly spec: PreChainSpec;
  private readonly subsonic: SubsonicFilter | null;
  private readonly eq: TonalBalanceEq | null;
  private readonly width: StereoWidth | null;
  private readonly compressor: Compressor | null;
  private readonly resampler: Resampler | null;

  constructor(spec: PreChainSpec) {
    this.spec = spec;
    const channels = spec.channels.outputChannels;
    this.subsonic =
      spec.subsonicHz !== null
        ? new SubsonicFilter({ sampleRate: spec.inputRate, channels, frequency: spec.subsonicHz })
        : null;
    this.eq = spec.eq && spec.eq.sections.length > 0 ? new TonalBalanceEq(spec.eq, channels) : null;
    this.width =
      spec.sideGain !== null && spec.sideGain !== 1 ? new StereoWidth({ sideGain: spec.sideGain }) : null;
    this.compressor = spec.compressor
      ? new Compressor({ ...spec.compressor, sampleRate: spec.inputRate, channels })
      : null;
    this.resampler =
      spec.inputRate !== spec.outputRate
        ? new Resampler({ inputRate: spec.inputRate, outputRate: spec.outputRate, channels })
        : null;
  }

  /** Taps per output frame of the SRC (for the report); 0 without SRC. */
  get resamplerTaps(): number {
    return this.resampler?.tapsPerPhase ?? 0;
  }

  get compressorMaxReductionDb(): number {
    return this.compressor?.maxGainReductionDb ?? 0;
  }

  /** Processes one input block (the input channel layout); returns output-rate stereo frames. */
  process(block: readonly Float32Array[]): Float32Array[] {
    const x = remix(this.spec.channels, block);
    // in place: for stereo input these are the caller's buffers (it meters the raw input first)
    this.subsonic?.process(x);
    this.eq?.process(x);
    this.width?.process(x);
    this.compressor?.process(x);
    return this.resampler ? this.resampler.process(x) : x;
  }

  flush(): Float32Array[] {
    if (this.resampler) return this.resampler.flush();
    return [new Float32Array(0), new Float32Array(0)];
  }
}

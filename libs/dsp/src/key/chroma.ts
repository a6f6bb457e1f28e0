import { RealFft, SlidingFrames, hannWindow } from '../fft';
import type { Hertz } from '../units';

/**
 * Pitch features for key and tuning estimation, computed from spectral peaks in the manner of
 * Gómez's HPCP (harmonic pitch class profile, Gómez 2006, "Tonal description of music audio
 * signals"): every spectral peak between the first and the last region edge (parabolically
 * interpolated) adds its magnitude to a fine pitch-class histogram (10 cents per bin, 120 bins,
 * A4 = 440 Hz grid) of its frequency region. Each frame's histograms go to a sink (the key
 * analyser folds them into 12-bin chroma at a grid of tunings, see KeyChroma); nothing is kept per
 * frame here, so memory does not grow with the input.
 */
export const CHROMA_DEFAULTS = Object.freeze({
  /** STFT frame in samples at the analysis rate (about 0.74 s at 5.5 kHz: 1.35 Hz bins). */
  frameSize: 4096,
  hop: 1024,
  /** Frequency regions (Hz edges) kept as separate histograms: below 130 Hz and the rest by default. */
  regionEdges: Object.freeze<number[]>([40, 130, 2100]),
  /** Peaks quieter than this below the frame's strongest peak are ignored (dB). */
  peakFloorDb: -60,
  maxPeaks: 60,
  binsPerSemitone: 10,
});

export const FINE_BINS = 12 * CHROMA_DEFAULTS.binsPerSemitone;

/** Sink of one frame's fine pitch-class histograms: `regions * FINE_BINS` values, region-major, bin 0 = C (10-cent bins on the A440 grid); valid during the call only. */
export type ChromaFrameSink = (fine: Float64Array) => void;

/** Deviation from the A440 grid as an amplitude-weighted circular mean: sum of w*e^(2*pi*i*semitones). */
export interface TuningSum {
  readonly re: number;
  readonly im: number;
}

export class ChromaAnalyzer {
  readonly sampleRate: Hertz;
  private readonly fft: RealFft;
  private readonly framing: SlidingFrames;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly mag: Float64Array;
  private readonly edges: readonly number[];
  private readonly fineFrame: Float64Array;
  private readonly sink: ChromaFrameSink;
  private frameCount = 0;
  private tuningRe = 0;
  private tuningIm = 0;
  private readonly peakBins: Int32Array;
  private readonly peakFreq: Float64Array;
  private readonly peakAmp: Float64Array;

  constructor(
    sampleRate: Hertz,
    sink: ChromaFrameSink,
    regionEdges: readonly number[] = CHROMA_DEFAULTS.regionEdges,
  ) {
    if (!(sampleRate >= 4000 && sampleRate <= 48000))
      throw new RangeError(`sample rate out of range: ${sampleRate}`);
    if (regionEdges.length < 2 || regionEdges.some((e, i) => i > 0 && !(e > regionEdges[i - 1]))) {
      throw new RangeError('regionEdges must be at least two increasing frequencies');
    }
    if (!(regionEdges[0] > 0 && regionEdges[regionEdges.length - 1] < sampleRate / 2)) {
      throw new RangeError(`regionEdges must lie within (0, ${sampleRate / 2}) Hz`);
    }
    this.sampleRate = sampleRate;
    this.sink = sink;
    this.edges = [...regionEdges];
    const n = CHROMA_DEFAULTS.frameSize;
    this.fft = new RealFft(n);
    // Half a frame of zeros first: frame 0 is centred on sample 0.
    this.framing = new SlidingFrames(hannWindow(n), CHROMA_DEFAULTS.hop, n / 2);
    this.re = new Float64Array(n / 2 + 1);
    this.im = new Float64Array(n / 2 + 1);
    this.mag = new Float64Array(n / 2 + 1);
    this.fineFrame = new Float64Array(FINE_BINS * (regionEdges.length - 1));
    this.peakBins = new Int32Array(n / 2);
    this.peakFreq = new Float64Array(n / 2);
    this.peakAmp = new Float64Array(n / 2);
    this.reset();
  }

  reset(): void {
    this.framing.reset();
    this.frameCount = 0;
    this.tuningRe = 0;
    this.tuningIm = 0;
  }

  get frameRate(): Hertz {
    return this.sampleRate / CHROMA_DEFAULTS.hop;
  }

  get regions(): number {
    return this.edges.length - 1;
  }

  get frames(): number {
    return this.frameCount;
  }

  tuning(): TuningSum {
    return { re: this.tuningRe, im: this.tuningIm };
  }

  process(x: Float32Array): void {
    this.framing.push(x, (frame) => this.analyseFrame(frame));
  }

  /** One windowed frame. */
  private analyseFrame(frame: Float64Array): void {
    const d = CHROMA_DEFAULTS;
    const size = d.frameSize;
    this.fft.forward(frame, this.re, this.im);
    const binHz = this.sampleRate / size;
    const edges = this.edges;
    const regions = edges.length - 1;
    const lo = Math.max(2, Math.floor(edges[0] / binHz));
    const hi = Math.min(size / 2 - 2, Math.ceil(edges[regions] / binHz));
    const mag = this.mag;
    const re = this.re;
    const im = this.im;
    let maxMag = 0;
    for (let k = lo - 1; k <= hi + 1; k++) {
      const m = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
      mag[k] = m;
      if (m > maxMag) maxMag = m;
    }
    const fineFrame = this.fineFrame;
    fineFrame.fill(0);
    if (maxMag > 1e-9) {
      const floor = maxMag * Math.pow(10, d.peakFloorDb / 20);
      let count = 0;
      const pf = this.peakFreq;
      const pa = this.peakAmp;
      for (let k = lo; k <= hi; k++) {
        const c = mag[k];
        if (c > floor && c > mag[k - 1] && c >= mag[k + 1]) {
          // parabolic interpolation on log magnitude
          const a = Math.log(mag[k - 1] + 1e-12);
          const b = Math.log(c);
          const g = Math.log(mag[k + 1] + 1e-12);
          const den = a - 2 * b + g;
          const off = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - g)) / den)) : 0;
          pf[count] = (k + off) * binHz;
          pa[count] = Math.exp(b - 0.25 * (a - g) * off);
          this.peakBins[count] = k;
          count++;
        }
      }
      // keep the strongest peaks only
      let limit = count;
      if (count > d.maxPeaks) {
        const sorted = Float64Array.from(pa.subarray(0, count)).sort();
        limit = count;
        const thr = sorted[count - d.maxPeaks];
        for (let j = 0; j < count; j++) if (pa[j] < thr) pa[j] = 0;
      }
      const bpsemi = d.binsPerSemitone;
      for (let j = 0; j < limit; j++) {
        const amp = pa[j];
        if (amp <= 0) continue;
        const f = pf[j];
        if (f < edges[0] || f >= edges[regions]) continue;
        let region = 0;
        while (f >= edges[region + 1]) region++;
        const semis = 69 + 12 * Math.log2(f / 440);
        const phase = 2 * Math.PI * semis;
        this.tuningRe += amp * Math.cos(phase);
        this.tuningIm += amp * Math.sin(phase);
        let pos = (semis % 12) * bpsemi;
        if (pos < 0) pos += FINE_BINS;
        const i0 = Math.floor(pos);
        const frac = pos - i0;
        const base = region * FINE_BINS;
        fineFrame[base + (i0 % FINE_BINS)] += amp * (1 - frac);
        fineFrame[base + ((i0 + 1) % FINE_BINS)] += amp * frac;
      }
    }
    this.frameCount++;
    this.sink(fineFrame);
  }
}

/**
 * Optional peer: essentia.js (AGPL-3.0, WASM build of Essentia), loaded at run time only when
 * present, so it is never a dependency of the product. Looked up at $ESSENTIA_JS_PATH (the package
 * folder) or as the `essentia.js` module (a dev dependency of the bench).
 * Runs KeyExtractor (defaults: bgate profile, HPCP 12), PercivalBpmEstimator and optionally
 * RhythmExtractor2013 (multifeature) on the mono downmix at 44.1 kHz.
 */
interface EssentiaVector {
  delete(): void;
}

interface EssentiaApi {
  version: string;
  arrayToVector(a: Float32Array): EssentiaVector;
  vectorToArray(v: EssentiaVector): Float32Array;
  KeyExtractor(v: EssentiaVector): { key: string; scale: string; strength: number };
  PercivalBpmEstimator(v: EssentiaVector): { bpm: number };
  RhythmExtractor2013(v: EssentiaVector): { bpm: number; confidence: number; ticks: EssentiaVector };
}

interface EssentiaModule {
  Essentia: new (wasm: unknown) => EssentiaApi;
  EssentiaWASM: unknown;
}

export interface PeerResult {
  readonly key?: string;
  readonly percivalBpm?: number;
  readonly rhythm2013Bpm?: number;
  readonly beats?: number[];
  /** Seconds spent in the key extractor and in each tempo estimator. */
  readonly keySeconds: number;
  readonly percivalSeconds: number;
  readonly rhythm2013Seconds: number;
}

export class EssentiaPeer {
  private constructor(
    private readonly api: EssentiaApi,
    readonly source: string,
  ) {}

  get version(): string {
    return this.api.version;
  }

  /** Loads essentia.js if available; null otherwise (the bench then runs without the peer). */
  static load(): EssentiaPeer | null {
    const candidates = [process.env.ESSENTIA_JS_PATH, 'essentia.js'].filter((x): x is string => !!x);
    for (const spec of candidates) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(spec) as EssentiaModule;
        if (typeof mod.Essentia === 'function')
          return new EssentiaPeer(new mod.Essentia(mod.EssentiaWASM), spec);
      } catch {
        // not installed at this place: try the next
      }
    }
    return null;
  }

  analyse(mono: Float32Array, withRhythm2013: boolean): PeerResult {
    const v = this.api.arrayToVector(mono);
    try {
      let t = performance.now();
      const k = this.api.KeyExtractor(v);
      const keySeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const p = this.api.PercivalBpmEstimator(v);
      const percivalSeconds = (performance.now() - t) / 1000;
      let rhythm2013Bpm: number | undefined;
      let beats: number[] | undefined;
      let rhythm2013Seconds = 0;
      if (withRhythm2013) {
        t = performance.now();
        const r = this.api.RhythmExtractor2013(v);
        rhythm2013Seconds = (performance.now() - t) / 1000;
        rhythm2013Bpm = r.bpm;
        beats = Array.from(this.api.vectorToArray(r.ticks));
        r.ticks.delete();
      }
      return {
        key: `${k.key} ${k.scale}`,
        percivalBpm: p.bpm,
        rhythm2013Bpm,
        beats,
        keySeconds,
        percivalSeconds,
        rhythm2013Seconds,
      };
    } finally {
      v.delete();
    }
  }
}

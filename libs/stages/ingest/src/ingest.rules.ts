import type { Seconds } from '@pressline/dsp';

/** What ingest accepts; every limit is configurable per deployment (env) and documented. */
export interface IngestRules {
  readonly maxFileBytes: number;
  readonly minDurationSeconds: Seconds;
  readonly maxDurationSeconds: Seconds;
  readonly minSampleRate: number;
  readonly maxSampleRate: number;
  readonly maxChannels: number;
}

export const DEFAULT_INGEST_RULES: IngestRules = Object.freeze({
  /** 4 GiB: a 3-hour 96 kHz/24-bit stereo master fits; anything bigger is a mistake. */
  maxFileBytes: 4 * 1024 ** 3,
  /** BS.1770 needs one 400 ms block to say anything; a master shorter than 1 s is a mistake. */
  minDurationSeconds: 1,
  /** 3 hours: long DJ mixes and live albums fit. */
  maxDurationSeconds: 3 * 3600,
  minSampleRate: 8000,
  maxSampleRate: 384_000,
  /** Up to 7.1; Pressline delivers stereo, surround is down-mixed by rule or refused. */
  maxChannels: 8,
});

export function ingestRulesFromEnv(env: NodeJS.ProcessEnv = process.env): IngestRules {
  const num = (name: string, fallback: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new RangeError(`${name} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  return {
    maxFileBytes: num('PRESSLINE_MAX_FILE_BYTES', DEFAULT_INGEST_RULES.maxFileBytes),
    minDurationSeconds: num('PRESSLINE_MIN_DURATION_SECONDS', DEFAULT_INGEST_RULES.minDurationSeconds),
    maxDurationSeconds: num('PRESSLINE_MAX_DURATION_SECONDS', DEFAULT_INGEST_RULES.maxDurationSeconds),
    minSampleRate: DEFAULT_INGEST_RULES.minSampleRate,
    maxSampleRate: DEFAULT_INGEST_RULES.maxSampleRate,
    maxChannels: num('PRESSLINE_MAX_CHANNELS', DEFAULT_INGEST_RULES.maxChannels),
  };
}

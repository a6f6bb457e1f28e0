/**
 * Speed and memory of the analysers on one long synthetic piece (stereo, 44.1 kHz), decode
 * excluded: median of 5 runs in this process (first run discarded as warm-up), realtime factor =
 * audio seconds / analysis seconds. Memory: heap growth while analysing the piece once and four
 * times over (the same audio streamed repeatedly), which must not scale with duration apart from
 * the feature arrays (reported separately).
 */
import { KeyAnalyzer, RhythmAnalyzer } from '@pressline/dsp';
import { renderPiece } from '../../libs/testing/src/synth';
import type { EssentiaPeer } from './peer-essentia';

export interface SpeedOptions {
  readonly seconds: number;
  readonly json: boolean;
  readonly peer: EssentiaPeer | null;
}

const BLOCK = 65536;

function feed(
  channels: Float32Array[],
  repeat: number,
  rhythm: RhythmAnalyzer | null,
  key: KeyAnalyzer | null,
): void {
  const n = channels[0].length;
  for (let r = 0; r < repeat; r++) {
    for (let i = 0; i < n; i += BLOCK) {
      const blk = [channels[0].subarray(i, i + BLOCK), channels[1].subarray(i, i + BLOCK)];
      rhythm?.process(blk);
      key?.process(blk);
    }
  }
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export async function runSpeed(options: SpeedOptions): Promise<void> {
  const seconds = options.seconds;
  const piece = renderPiece({
    id: 'speed',
    seed: 7,
    tonic: 9,
    mode: 'minor',
    bpm: 124,
    timeSignature: '4/4',
    drums: 'backbeat',
    progression: 'i-VI-III-VII',
    tuningHz: 440,
    durationSeconds: seconds,
    tempoVariation: 'steady',
    split: 'tune',
  });
  const ch = piece.channels;
  const sr = piece.sampleRate;
  const runs = { rhythm: [] as number[], key: [] as number[], both: [] as number[] };
  let lastTempo = 0;
  let lastKey = '';
  for (let run = 0; run < 6; run++) {
    const rhythm = new RhythmAnalyzer({ sampleRate: sr });
    const key = new KeyAnalyzer({ sampleRate: sr });
    const tr = time(() => {
      feed(ch, 1, rhythm, null);
      lastTempo = rhythm.result().tempo.bpm;
    });
    const tk = time(() => {
      feed(ch, 1, null, key);
      lastKey = key.result().key.label;
    });
    const both = time(() => {
      const r2 = new RhythmAnalyzer({ sampleRate: sr });
      const k2 = new KeyAnalyzer({ sampleRate: sr });
      feed(ch, 1, r2, k2);
      r2.result();
      k2.result();
    });
    if (run === 0) continue;
    runs.rhythm.push(tr);
    runs.key.push(tk);
    runs.both.push(both);
  }
  // memory: stream the piece once and 4 times, compare heap growth and feature sizes
  const gc = (globalThis as { gc?: () => void }).gc;
  const memoryOf = (repeat: number): { heapMb: number; featureMb: number } => {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const rhythm = new RhythmAnalyzer({ sampleRate: sr });
    const key = new KeyAnalyzer({ sampleRate: sr });
    feed(ch, repeat, rhythm, key);
    const f = rhythm.features();
    // the key analyser keeps no per-frame features (see KeyChroma)
    const featureBytes = (f.all.length * 4 + f.bands.length + f.chroma.length) * 4;
    rhythm.result();
    key.result();
    gc?.();
    const heapMb = (process.memoryUsage().heapUsed - before) / 1048576;
    return { heapMb, featureMb: featureBytes / 1048576 };
  };
  const m1 = memoryOf(1);
  const m4 = memoryOf(4);
  let peer: Record<string, number> | undefined;
  if (options.peer) {
    const mono = new Float32Array(ch[0].length);
    for (let i = 0; i < mono.length; i++) mono[i] = 0.5 * (ch[0][i] + ch[1][i]);
    const p = options.peer.analyse(mono, true);
    peer = {
      keyRealtime: seconds / p.keySeconds,
      percivalRealtime: seconds / p.percivalSeconds,
      rhythm2013Realtime: seconds / p.rhythm2013Seconds,
      keyPlusPercivalRealtime: seconds / (p.keySeconds + p.percivalSeconds),
    };
  }
  const report = {
    audioSeconds: seconds,
    estimate: { tempoBpm: lastTempo, key: lastKey, truthTempoBpm: 124, truthKey: 'A minor' },
    realtime: {
      rhythm: seconds / median(runs.rhythm),
      key: seconds / median(runs.key),
      tempoBeatsKey: seconds / median(runs.both),
    },
    medianSeconds: { rhythm: median(runs.rhythm), key: median(runs.key), tempoBeatsKey: median(runs.both) },
    memory: {
      gcExposed: gc !== undefined,
      heapGrowthMb: { [`${seconds}s`]: m1.heapMb, [`${4 * seconds}s`]: m4.heapMb },
      featureArraysMb: { [`${seconds}s`]: m1.featureMb, [`${4 * seconds}s`]: m4.featureMb },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    },
    peer,
  };
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`speed on a ${seconds} s stereo 44.1 kHz piece (decode excluded, median of 5 runs)`);
  console.log(`  estimate: ${lastTempo} BPM (truth 124), ${lastKey} (truth A minor)`);
  console.log(
    `  rhythm (tempo + beats + metre): ${report.realtime.rhythm.toFixed(0)}x realtime (${report.medianSeconds.rhythm.toFixed(3)} s)`,
  );
  console.log(
    `  key + tuning:                   ${report.realtime.key.toFixed(0)}x realtime (${report.medianSeconds.key.toFixed(3)} s)`,
  );
  console.log(
    `  both in one pass:               ${report.realtime.tempoBeatsKey.toFixed(0)}x realtime (${report.medianSeconds.tempoBeatsKey.toFixed(3)} s)`,
  );
  console.log(
    `  memory: heap growth ${m1.heapMb.toFixed(1)} MB for ${seconds} s, ${m4.heapMb.toFixed(1)} MB for ${4 * seconds} s; ` +
      `feature arrays ${m1.featureMb.toFixed(1)} / ${m4.featureMb.toFixed(1)} MB${gc ? '' : ' (run node with --expose-gc for exact heap figures)'}`,
  );
  if (peer) {
    console.log(
      `  essentia.js: KeyExtractor ${peer.keyRealtime.toFixed(0)}x, PercivalBpmEstimator ${peer.percivalRealtime.toFixed(0)}x, ` +
        `RhythmExtractor2013 ${peer.rhythm2013Realtime.toFixed(0)}x, key + Percival ${peer.keyPlusPercivalRealtime.toFixed(0)}x`,
    );
  }
}

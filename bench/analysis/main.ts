/**
 * Analysis bench: tempo, beats, metre, key and tuning against ground truth, side by side with
 * essentia.js when available.
 *
 *   bench:analysis -- --truth FILE.tsv [--json] [--split tune|holdout] [--limit N] [--bpm-range 70-180]
 *   bench:analysis -- --synth DIR [--count 240] [--duration 30] [--seed 2024]
 *                                                                   render the synthetic set, then evaluate it
 *                                                                   (another seed: pieces never tuned on)
 *   bench:analysis -- --speed [--seconds 240]                       realtime factor and memory on one long piece
 *
 * Peer: set ESSENTIA_JS_PATH to an essentia.js package folder (or install it as a dev dependency);
 * --no-peer skips it, --peer-rhythm also runs RhythmExtractor2013 (slow: about 11x realtime).
 */
import { renderSyntheticSet } from './synth-set';
import { evaluateRows, totals, type FileResult, type Totals } from './evaluate';
import { EssentiaPeer } from './peer-essentia';
import { readTruth } from './truth';
import { runSpeed } from './speed';

interface Args {
  truth?: string;
  synth?: string;
  json: boolean;
  split?: string;
  limit?: number;
  bpmRange?: [number, number];
  noPeer: boolean;
  peerRhythm: boolean;
  count?: number;
  duration?: number;
  seed?: number;
  speed: boolean;
  seconds: number;
  renderOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    json: false,
    noPeer: false,
    peerRhythm: false,
    speed: false,
    seconds: 240,
    renderOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    switch (k) {
      case '--truth':
        a.truth = v();
        break;
      case '--synth':
        a.synth = v();
        break;
      case '--json':
        a.json = true;
        break;
      case '--split':
        a.split = v();
        break;
      case '--limit':
        a.limit = Number(v());
        break;
      case '--bpm-range': {
        const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(v());
        if (!m) throw new Error('--bpm-range expects MIN-MAX, e.g. 70-180');
        a.bpmRange = [Number(m[1]), Number(m[2])];
        break;
      }
      case '--no-peer':
        a.noPeer = true;
        break;
      case '--peer-rhythm':
        a.peerRhythm = true;
        break;
      case '--count':
        a.count = Number(v());
        break;
      case '--duration':
        a.duration = Number(v());
        break;
      case '--seed':
        a.seed = Number(v());
        break;
      case '--speed':
        a.speed = true;
        break;
      case '--seconds':
        a.seconds = Number(v());
        break;
      case '--render-only':
        a.renderOnly = true;
        break;
      default:
        throw new Error(`unknown argument ${k}`);
    }
  }
  return a;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const cell = (s: string | number | undefined, w: number): string =>
  String(s ?? '')
    .padEnd(w)
    .slice(0, w);

function printRow(r: FileResult): void {
  const tempoMark = r.acc1 === undefined ? ' ' : r.acc1 ? '1' : r.acc2 ? '2' : 'x';
  const keyMark = r.keyRelation === undefined ? '' : r.keyRelation;
  const peer = r.peer
    ? ` | peer ${cell(r.peer.percivalBpm?.toFixed(1), 6)} ${r.peer.percivalAcc1 === undefined ? ' ' : r.peer.percivalAcc1 ? '1' : r.peer.percivalAcc2 ? '2' : 'x'}` +
      `${r.peer.rhythm2013Bpm !== undefined ? ` r13 ${r.peer.rhythm2013Bpm.toFixed(1)}` : ''} ${cell(r.peer.key, 10)} ${cell(r.peer.keyRelation, 8)}`
    : '';
  console.log(
    `${cell(r.id, 44)} ${cell(r.truth.tempoBpm, 6)} ${cell(r.tempoBpm.toFixed(1), 6)} ${tempoMark} ` +
      `${cell(r.truth.key, 10)} ${cell(r.key, 10)} ${cell(keyMark, 8)} ${cell(r.timeSignature, 4)} ` +
      `${r.beatF !== undefined ? r.beatF.toFixed(2) : '    '} ${cell(r.tuningHz.toFixed(1), 5)} ${(r.durationSeconds / r.analysisSeconds).toFixed(0).padStart(5)}x${peer}`,
  );
}

function printTotals(label: string, t: Totals): void {
  console.log(`\n== ${label}: ${t.files} files, ${t.audioSeconds.toFixed(0)} s of audio`);
  console.log(`tempo   n=${t.tempo.n}  Acc1 ${pct(t.tempo.acc1)}  Acc2 ${pct(t.tempo.acc2)}`);
  console.log(
    `key     n=${t.key.n}  weighted ${t.key.weighted.toFixed(3)}  same ${pct(t.key.same)}  fifth ${pct(t.key.fifth)}  ` +
      `relative ${pct(t.key.relative)}  parallel ${pct(t.key.parallel)}  other ${pct(t.key.other)}`,
  );
  if (t.beats.n)
    console.log(
      `beats   n=${t.beats.n}  F-measure ${t.beats.fMeasure.toFixed(3)}  downbeat F ${t.beats.downbeatF.toFixed(3)}`,
    );
  if (t.metre.n) console.log(`metre   n=${t.metre.n}  beats-per-bar accuracy ${pct(t.metre.accuracy)}`);
  if (t.tuning.n)
    console.log(
      `tuning  n=${t.tuning.n}  MAE ${t.tuning.meanAbsErrorHz.toFixed(2)} Hz  within 1 Hz ${pct(t.tuning.within1Hz)}`,
    );
  console.log(
    `speed   ${t.realtimeFactor.toFixed(0)}x realtime (tempo + beats + metre + key, decode excluded)`,
  );
  if (t.peer) {
    const p = t.peer;
    console.log(
      `essentia.js PercivalBpmEstimator  Acc1 ${pct(p.tempoPercival.acc1)}  Acc2 ${pct(p.tempoPercival.acc2)}  ${p.percivalRealtimeFactor.toFixed(0)}x`,
    );
    if (p.tempoRhythm2013.n) {
      console.log(
        `essentia.js RhythmExtractor2013   Acc1 ${pct(p.tempoRhythm2013.acc1)}  Acc2 ${pct(p.tempoRhythm2013.acc2)}  beat F ${p.tempoRhythm2013.beatF.toFixed(3)}  ${p.rhythm2013RealtimeFactor.toFixed(0)}x`,
      );
    }
    console.log(
      `essentia.js KeyExtractor          weighted ${p.key.weighted.toFixed(3)}  same ${pct(p.key.same)}  fifth ${pct(p.key.fifth)}  ` +
        `relative ${pct(p.key.relative)}  parallel ${pct(p.key.parallel)}  other ${pct(p.key.other)}  ${p.keyRealtimeFactor.toFixed(0)}x`,
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string): void => {
    if (!args.json) console.log(s);
    else console.error(s);
  };
  if (args.speed) {
    await runSpeed({
      seconds: args.seconds,
      json: args.json,
      peer: args.noPeer ? null : EssentiaPeer.load(),
    });
    return;
  }
  let truthFile = args.truth;
  if (args.synth) {
    const r = renderSyntheticSet(
      args.synth,
      { count: args.count, durationSeconds: args.duration, seed: args.seed },
      log,
    );
    log(
      `synthetic set: ${r.count} pieces in ${args.synth} (${r.rendered} newly rendered), truth ${r.truthFile}`,
    );
    truthFile = r.truthFile;
    if (args.renderOnly) return;
  }
  if (!truthFile) throw new Error('give --truth FILE.tsv, --synth DIR or --speed');
  let rows = readTruth(truthFile);
  if (args.split) rows = rows.filter((r) => r.split === args.split);
  if (args.limit) rows = rows.slice(0, args.limit);
  const peer = args.noPeer ? null : EssentiaPeer.load();
  if (peer) log(`peer: essentia.js ${peer.version} (${peer.source})`);
  else if (!args.noPeer) log('peer: essentia.js not found (set ESSENTIA_JS_PATH), running without it');
  if (!args.json) {
    console.log(
      `${cell('id', 44)} ${cell('ref', 6)} ${cell('bpm', 6)} a ${cell('ref key', 10)} ${cell('key', 10)} ${cell('relation', 8)} ${cell('ts', 4)} beatF tunHz  speed`,
    );
  }
  const results = await evaluateRows(rows, {
    bpmRange: args.bpmRange,
    peer,
    peerRhythm2013: args.peerRhythm,
    onFile: args.json ? undefined : printRow,
  });
  const all = totals(results);
  const splits = [...new Set(results.map((r) => r.split).filter((s): s is string => !!s))].sort();
  const bySplit = Object.fromEntries(splits.map((s) => [s, totals(results.filter((r) => r.split === s))]));
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  if (args.json) {
    console.log(
      JSON.stringify({ truth: truthFile, totals: all, splits: bySplit, peakRssMb, files: results }, null, 2),
    );
    return;
  }
  printTotals('all', all);
  for (const s of splits) printTotals(`split ${s}`, bySplit[s]);
  console.log(`\npeak RSS of the bench process ${peakRssMb.toFixed(0)} MB`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

/**
 * Mastering bench (issue 6): Pressline's mastering chain on a corpus of >= 20 varied tracks, side
 * by side with ffmpeg's two-pass loudnorm (linear=true) + alimiter at the same targets, checked by
 * the project's meter AND by ffmpeg's ebur128=peak=true; limiter THD+N on sines over the ceiling;
 * crest factor kept; speed; and a comparison with Matchering for reference mastering when a
 * Python with matchering is available (MATCHERING_PYTHON, dev-only, never a project dependency).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAll } from '@pressline/audio';
import { LoudnessMeter, THIRD_OCTAVE_CENTRES, thdPlusN, TruePeakLimiter } from '@pressline/dsp';
import { encodeWav } from '../../libs/testing/src/wav';
import { analyseSignal, spectralDistanceDb } from '../../libs/stages/mastering/src/chain/analyse';
import { MasteringError } from '../../libs/stages/mastering/src/chain/errors';
import { masterTrack } from '../../libs/stages/mastering/src/chain/master-track';
import type { MasterReport } from '../../libs/stages/mastering/src/chain/report';
import { getProfile, resolveProfile } from '../../libs/stages/mastering/src/profiles';
import { benchDir, median, programme, round } from '../bench-utils';
import { buildCorpus, type CorpusTrack } from './corpus';
import { ebur128, loudnormTwoPass, readBack, run, type ReadBack } from './peers';

export interface MasteringBenchOptions {
  /** Length of the ordinary corpus tracks (default 30 s); the long track is `longSeconds`. */
  readonly seconds?: number;
  readonly longSeconds?: number;
  readonly profiles?: readonly string[];
  /** Profiles also mastered with ffmpeg loudnorm + alimiter (same target, ceiling and rate). */
  readonly peerProfiles?: readonly string[];
  /** Length of the realtime-factor programme (stereo 44.1 kHz 24-bit). */
  readonly speedSeconds?: number;
  /** A Python with matchering installed (default: $MATCHERING_PYTHON). */
  readonly matcheringPython?: string;
  readonly log?: (line: string) => void;
}

interface Row {
  track: string;
  kind: string;
  profile: string;
  tool: 'pressline' | 'ffmpeg';
  outcome: 'delivered' | 'refused' | 'failed';
  reason?: string;
  expectedLufs: number | null;
  ours: { integratedLufs: number | null; truePeakDbtp: number | null } | null;
  ebur128: { integratedLufs: number | null; truePeakDbtp: number | null } | null;
  withinTolerance: boolean;
  underCeiling: boolean;
  quieterByPolicyLu: number;
  linear: boolean | null;
  decision: string | null;
  limiterMaxDb: number | null;
  crestInDb: number;
  crestOutDb: number | null;
  seconds: number;
}

/** The row of a run that delivered nothing (refused by rule or failed). */
function notDelivered(
  base: Pick<Row, 'track' | 'kind' | 'profile' | 'crestInDb'>,
  tool: Row['tool'],
  outcome: 'refused' | 'failed',
  reason: string,
  at: Pick<Row, 'expectedLufs' | 'seconds'>,
): Row {
  return {
    ...base,
    tool,
    outcome,
    reason,
    ...at,
    ours: null,
    ebur128: null,
    withinTolerance: false,
    underCeiling: false,
    quieterByPolicyLu: 0,
    linear: null,
    decision: null,
    limiterMaxDb: null,
    crestOutDb: null,
  };
}

const TOLERANCE = 0.2;

function within(v: number | null, expected: number | null): boolean {
  return v !== null && expected !== null && Math.abs(v - expected) <= TOLERANCE + 1e-9;
}

function share(rows: Row[], pred: (r: Row) => boolean): number {
  return rows.length ? round(rows.filter(pred).length / rows.length, 3) : Number.NaN;
}

async function checkOutput(
  file: string,
  expected: number | null,
  ceiling: number,
): Promise<Pick<Row, 'ours' | 'ebur128' | 'withinTolerance' | 'underCeiling' | 'crestOutDb'>> {
  const back: ReadBack = await readBack(file);
  const ff = await ebur128(file);
  return {
    ours: { integratedLufs: back.integratedLufs, truePeakDbtp: back.truePeakDbtp },
    ebur128: ff,
    withinTolerance: within(back.integratedLufs, expected) && within(ff.integratedLufs, expected),
    underCeiling:
      back.truePeakDbtp !== null &&
      back.truePeakDbtp <= ceiling &&
      ff.truePeakDbtp !== null &&
      ff.truePeakDbtp <= ceiling,
    crestOutDb: back.crestFactorDb,
  };
}

/** Limiter THD+N on a 1 kHz sine 0/3/6 dB over a -1 dBTP ceiling: TruePeakLimiter vs ffmpeg alimiter. */
async function limiterDistortion(dir: string): Promise<Record<string, unknown>[]> {
  const fs = 44100;
  const n = fs * 6;
  const ceiling = -1;
  const out: Record<string, unknown>[] = [];
  for (const over of [0, 3, 6]) {
    const amp = Math.pow(10, (ceiling + over) / 20);
    const sine = Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 1000 * i) / fs));
    // ours: the mastering chain's limiter, latency removed
    const lim = new TruePeakLimiter({ sampleRate: fs, channels: 2, ceiling });
    const ch = [Float32Array.from(sine), Float32Array.from(sine)];
    lim.process(ch);
    const ours = ch[0].subarray(lim.latencyFrames);
    const tpMeter = new LoudnessMeter({ sampleRate: fs, channels: 1 });
    tpMeter.process([ours.subarray(fs)]);
    // ffmpeg alimiter (sample-peak) on the same sine, float in and out
    const input = join(dir, `sine-over-${over}.wav`);
    const limited = join(dir, `sine-over-${over}-alimiter.wav`);
    writeFileSync(input, encodeWav({ sampleRate: fs, channels: [sine, sine] }, { format: 'float32' }));
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      input,
      '-af',
      `alimiter=limit=${Math.pow(10, ceiling / 20).toFixed(4)}:level=false`,
      '-c:a',
      'pcm_f32le',
      limited,
    ]);
    const theirs = (await decodeAll(limited)).channels[0];
    const ffMeter = new LoudnessMeter({ sampleRate: fs, channels: 1 });
    ffMeter.process([theirs.subarray(fs)]);
    const steady = (x: Float32Array) => x.subarray(2 * fs, 2 * fs + 65536);
    const a = thdPlusN(steady(ours), fs, 1000);
    const b = thdPlusN(steady(theirs), fs, 1000);
    out.push({
      overCeilingDb: over,
      pressline: {
        thdPlusNDb: round(a.thdPlusNDb, 1),
        thdPlusNPercent: round(a.thdPlusNPercent, 4),
        truePeakDbtp: round(tpMeter.result().truePeakDbtp!, 2),
      },
      ffmpegAlimiter: {
        thdPlusNDb: round(b.thdPlusNDb, 1),
        thdPlusNPercent: round(b.thdPlusNPercent, 4),
        truePeakDbtp: round(ffMeter.result().truePeakDbtp!, 2),
      },
    });
  }
  return out;
}

/** Realtime factor of mastering alone: one stereo 44.1 kHz programme, in this process, median of 3. */
async function realtimeFactor(dir: string, seconds: number): Promise<Record<string, unknown>> {
  const input = programme(seconds, 44100, false);
  const cases: Array<[string, Parameters<typeof resolveProfile>[1]]> = [
    ['spotify, linear gain', {}],
    ['spotify at -12 LUFS (-2 dBTP), limited', { targetLufs: -12 }],
  ];
  const result: Record<string, unknown> = { seconds, file: 'pink pre-master, 24-bit stereo 44.1 kHz' };
  for (const [name, override] of cases) {
    const walls: number[] = [];
    const cpus: number[] = [];
    let last: MasterReport | null = null;
    try {
      for (let i = 0; i < 3; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        last = await masterTrack({
          input,
          output: join(dir, 'speed.wav'),
          profile: resolveProfile(getProfile('spotify'), override),
          workDir: dir,
        });
        walls.push((performance.now() - t0) / 1000);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1e6);
      }
    } catch (e) {
      result[name] = { error: (e as Error).message.slice(0, 300) };
      continue;
    }
    result[name] = {
      wallSeconds: round(median(walls), 2),
      realtimeFactor: round(seconds / median(walls), 0),
      mainThreadCpuSeconds: round(median(cpus), 2),
      realtimeFactorPerCpuSecond: round(seconds / median(cpus), 0),
      renderPasses: last?.timing.passes,
      linear: last?.linear,
      limiterMaxDb: last?.limiter ? round(last.limiter.maxGainReductionDb, 2) : null,
    };
  }
  const t0 = performance.now();
  await loudnormTwoPass(input, join(dir, 'speed-ffmpeg.wav'), {
    lufs: -14,
    ceilingDbtp: -1,
    sampleRate: 44100,
  });
  result['ffmpeg loudnorm two-pass + alimiter'] = {
    wallSeconds: round((performance.now() - t0) / 1000, 2),
    realtimeFactor: round(seconds / ((performance.now() - t0) / 1000), 0),
  };
  return result;
}

/** Reference mastering vs Matchering (when a Python with matchering is given). */
async function matcheringComparison(
  dir: string,
  tracks: CorpusTrack[],
  python: string | undefined,
): Promise<Record<string, unknown>> {
  if (!python || !existsSync(python))
    return {
      skipped:
        'no Python with matchering (set MATCHERING_PYTHON to a venv python with `pip install matchering`)',
    };
  const rows: Record<string, unknown>[] = [];
  // a moderate reference (a synthetic piece) and a very loud one (the hard-limited master, about -7 LUFS)
  for (const refId of ['synth-6', 'loud-master']) {
    const reference = tracks.find((t) => t.id === refId)!;
    const ref = await analyseSignal(reference.file);
    const targets = tracks.filter((t) => ['synth-1', 'synth-2', 'synth-3', 'premaster-pink'].includes(t.id));
    for (const t of targets) {
      if (t.id === reference.id) continue;
      const ours = join(dir, `${t.id}-ref-${reference.id}-pressline.wav`);
      const theirs = join(dir, `${t.id}-ref-${reference.id}-matchering.wav`);
      const t0 = performance.now();
      let oursError: string | null = null;
      try {
        await masterTrack({
          input: t.file,
          output: ours,
          profile: resolveProfile(getProfile('tidal'), {}, { container: 'wav' }),
          workDir: dir,
          reference: reference.file,
        });
      } catch (e) {
        if (!(e instanceof MasteringError)) throw e;
        oursError = `${e.code}: ${e.reason}`;
      }
      const oursSeconds = (performance.now() - t0) / 1000;
      const script = `import matchering as mg\nmg.log(print)\nmg.process(target=${JSON.stringify(t.file)}, reference=${JSON.stringify(reference.file)}, results=[mg.pcm24(${JSON.stringify(theirs)})])\n`;
      let theirsSeconds: number | null = null;
      let error: string | null = null;
      try {
        theirsSeconds = (await run(python, ['-c', script])).seconds;
      } catch (e) {
        error = (e as Error).message.slice(0, 300);
      }
      const score = async (file: string) => {
        const a = await analyseSignal(file);
        return {
          spectralDistanceDb: round(spectralDistanceDb(a.bandsDb, ref.bandsDb, THIRD_OCTAVE_CENTRES), 2),
          loudnessErrorLu:
            a.integratedLufs === null || ref.integratedLufs === null
              ? null
              : round(a.integratedLufs - ref.integratedLufs, 2),
          truePeakDbtp: a.truePeakDbtp === null ? null : round(a.truePeakDbtp, 2),
        };
      };
      rows.push({
        track: t.id,
        reference: reference.id,
        input: await score(t.file),
        pressline: oursError
          ? { error: oursError }
          : { ...(await score(ours)), seconds: round(oursSeconds, 2) },
        matchering: error ? { error } : { ...(await score(theirs)), seconds: round(theirsSeconds!, 2) },
      });
    }
  }
  return {
    references: ['synth-6', 'loud-master'],
    note: 'spectral distance: RMS of 1/3-octave level differences to the reference, 40 Hz-12.5 kHz, mean removed',
    rows,
  };
}

export async function masteringBench(options: MasteringBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const profiles = options.profiles ?? ['spotify', 'apple-digital-masters', 'cd', 'broadcast-r128'];
  const peerProfiles = options.peerProfiles ?? ['spotify', 'broadcast-r128'];
  const corpus = buildCorpus({ seconds: options.seconds, longSeconds: options.longSeconds });
  log(
    `mastering bench: ${corpus.length} tracks, profiles ${profiles.join(', ')}; ffmpeg peer on ${peerProfiles.join(', ')}`,
  );
  const dir = join(benchDir(), 'mastering-out');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rows: Row[] = [];
  for (const track of corpus) {
    const input = await readBack(track.file);
    for (const name of profiles) {
      const p = resolveProfile(getProfile(name));
      const base = {
        track: track.id,
        kind: track.kind,
        profile: name,
        crestInDb: round(input.crestFactorDb, 2),
      };
      const out = join(dir, `${track.id}.${name}.${p.container}`);
      const t0 = performance.now();
      try {
        const r = await masterTrack({ input: track.file, output: out, profile: p, workDir: dir });
        const seconds = (performance.now() - t0) / 1000;
        const check = await checkOutput(out, r.verification.expectedLufs, r.target.ceilingDbtp);
        rows.push({
          ...base,
          tool: 'pressline',
          outcome: 'delivered',
          expectedLufs: r.verification.expectedLufs,
          ...check,
          quieterByPolicyLu: round(r.policy.quieterByLu, 2),
          linear: r.linear,
          decision: r.policy.decision,
          limiterMaxDb: r.limiter ? round(r.limiter.maxGainReductionDb, 2) : null,
          seconds,
        });
      } catch (e) {
        if (!(e instanceof MasteringError)) throw e;
        const refused = e.code === 'unsupported-channel-layout';
        rows.push(
          notDelivered(base, 'pressline', refused ? 'refused' : 'failed', `${e.code}: ${e.reason}`, {
            expectedLufs: null,
            seconds: (performance.now() - t0) / 1000,
          }),
        );
      }
      const last = rows[rows.length - 1];
      log(
        `  ${track.id.padEnd(15)} ${name.padEnd(22)} ${last.outcome === 'delivered' ? `${last.ours?.integratedLufs?.toFixed(2)} LUFS ${last.ours?.truePeakDbtp?.toFixed(2)} dBTP | ebur128 ${last.ebur128?.integratedLufs} / ${last.ebur128?.truePeakDbtp} | ${last.decision}${last.withinTolerance && last.underCeiling ? '' : '  MISS'}` : last.reason}`,
      );
      if (!peerProfiles.includes(name) || last.outcome === 'refused') continue;
      const rate = last.outcome === 'delivered' ? (await readBack(out)).sampleRate : 44100;
      const target = p.targetLufs ?? -14;
      const ffOut = join(dir, `${track.id}.${name}.ffmpeg.wav`);
      try {
        const ff = await loudnormTwoPass(track.file, ffOut, {
          lufs: target,
          ceilingDbtp: p.ceilingDbtp,
          sampleRate: rate,
        });
        const check = await checkOutput(ffOut, target, p.ceilingDbtp);
        log(
          `  ${''.padEnd(15)} ${`${name} ffmpeg`.padEnd(22)} ${check.ours?.integratedLufs?.toFixed(2)} LUFS ${check.ours?.truePeakDbtp?.toFixed(2)} dBTP | ebur128 ${check.ebur128?.integratedLufs} / ${check.ebur128?.truePeakDbtp} | ${ff.normalizationType}${check.withinTolerance && check.underCeiling ? '' : '  MISS'}`,
        );
        rows.push({
          ...base,
          tool: 'ffmpeg',
          outcome: 'delivered',
          expectedLufs: target,
          ...check,
          quieterByPolicyLu: 0,
          linear: ff.normalizationType === 'linear',
          decision: ff.normalizationType,
          limiterMaxDb: null,
          seconds: ff.seconds,
        });
      } catch (e) {
        rows.push(
          notDelivered(base, 'ffmpeg', 'failed', (e as Error).message.slice(0, 200), {
            expectedLufs: target,
            seconds: 0,
          }),
        );
      }
    }
  }

  const summarise = (tool: 'pressline' | 'ffmpeg', only?: readonly string[]) => {
    const all = rows.filter((r) => r.tool === tool && (!only || only.includes(r.profile)));
    const delivered = all.filter((r) => r.outcome === 'delivered');
    const crest = delivered.filter((r) => r.crestOutDb !== null).map((r) => r.crestOutDb! - r.crestInDb);
    return {
      runs: all.length,
      delivered: delivered.length,
      refusedByRule: all.filter((r) => r.outcome === 'refused').length,
      failed: all.filter((r) => r.outcome === 'failed').map((r) => `${r.track}/${r.profile}: ${r.reason}`),
      shareWithinTolerance: share(delivered, (r) => r.withinTolerance),
      shareUnderCeiling: share(delivered, (r) => r.underCeiling),
      shareBoth: share(delivered, (r) => r.withinTolerance && r.underCeiling),
      shareLinear: share(delivered, (r) => r.linear === true),
      deliveredQuieterByPolicy: delivered.filter((r) => r.quieterByPolicyLu > 0).length,
      limited: delivered.filter((r) => r.decision === 'limit').length,
      crestChangeDb: crest.length
        ? { median: round(median(crest), 2), min: round(Math.min(...crest), 2) }
        : null,
      seconds: round(
        all.reduce((s, r) => s + r.seconds, 0),
        1,
      ),
    };
  };
  log('limiter distortion...');
  const thd = await limiterDistortion(dir);
  log('realtime factor...');
  const speed = await realtimeFactor(dir, options.speedSeconds ?? 210);
  log('matchering...');
  const matchering = await matcheringComparison(
    dir,
    corpus,
    options.matcheringPython ?? process.env.MATCHERING_PYTHON,
  );
  const ours = summarise('pressline');
  const oursSamePeer = summarise('pressline', peerProfiles);
  const peer = summarise('ffmpeg');
  return {
    tracks: corpus.length,
    corpus: corpus.map((t) => ({ id: t.id, kind: t.kind, seconds: t.seconds })),
    toleranceLu: TOLERANCE,
    meters:
      'project LoudnessMeter (BS.1770-5) and ffmpeg ebur128=peak=true (summary values, 0.1 resolution): both must agree',
    pressline: ours,
    side_by_side: {
      profiles: peerProfiles,
      pressline: oursSamePeer,
      ffmpegLoudnormAlimiter: peer,
      speedRatio: peer.seconds > 0 ? round(peer.seconds / oursSamePeer.seconds, 1) : null,
    },
    limiterThdN: thd,
    realtime: speed,
    matchering,
    rows,
  };
}

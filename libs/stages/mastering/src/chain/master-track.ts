import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { rm } from 'node:fs/promises';
import { decode, probe, type EncodeFormat, type ProbeResult } from '@pressline/audio';
import {
  adviseCompression,
  designTonalBalance,
  LoudnessMeter,
  THIRD_OCTAVE_CENTRES,
  widthMatchSideGain,
  type CompressorOptions,
  type Dbtp,
  type Decibels,
  type LoudnessResult,
  type Lufs,
  type TonalBalanceDesign,
} from '@pressline/dsp';
import { ceilingForTarget, chooseSampleRate, eqTargetBands, type ResolvedProfile } from '../profiles';
import { analyseSignal, type SignalAnalysis } from './analyse';
import { planChannels, type ChannelPlan } from './channels';
import { MasteringError } from './errors';
import { planLoudness, type LoudnessDecision, type LoudnessPlan } from './plan';
import { PreChain, type PreChainSpec } from './pre-chain';
import { readWrittenFormat } from './output-check';
import { render, type RenderResult } from './render';
import type { LoudnessFigures, MasterReport, RenderPassFigures } from './report';
import { readSpool, removeSpool, SpoolWriter } from './spool';

/** Tonal-balance bounds when matching a reference (TONAL_BALANCE_DEFAULTS otherwise: +-4 dB, 0.5 octave). */
const REFERENCE_EQ = Object.freeze({ maxGain: 10, smoothingOctaves: 0.33 });

export interface MasterTrackOptions {
  readonly input: string;
  readonly output: string;
  readonly profile: ResolvedProfile;
  /** Where the spool (the pre-gain signal, float32 at the output rate) is written. */
  readonly workDir: string;
  /** Name of the track in reports (default: the input's file name). */
  readonly id?: string;
  /** Reference mastering: a file, or its analysis (made once for a whole album). */
  readonly reference?: string | SignalAnalysis;
  /** With a reference: take its loudness as the target (default true; false keeps the profile's). */
  readonly referenceLoudness?: boolean;
  /** Spool the pre-gain signal to disk (default) or recompute it (decode, filters, SRC) for every pass. */
  readonly spool?: boolean;
  /** Album mode: the release's one gain, planned from every track's figures (planAlbum). */
  readonly album?: AlbumContext;
}

/** A track measured and ready for the render passes (the result of the measuring pass). */
export interface PreparedTrack {
  readonly options: MasterTrackOptions;
  readonly id: string;
  readonly probe: ProbeResult;
  readonly inputLoudness: LoudnessResult;
  readonly durationSeconds: number;
  /** The signal entering the loudness gain, measured at the output rate. */
  readonly preGain: LoudnessResult & { readonly integratedLufs: Lufs; readonly truePeakDbtp: Dbtp };
  readonly spec: PreChainSpec;
  readonly resamplerTaps: number;
  readonly compression: MasterReport['compression'];
  readonly eqCurveName: string | null;
  readonly eqSource: 'reference' | 'curve' | 'custom' | null;
  readonly reference: SignalAnalysis | null;
  readonly inputWidthDb: Decibels | null;
  /** The loudness target (null = keep the programme's) and where it comes from. */
  readonly targetLufs: Lufs | null;
  readonly targetSource: 'profile' | 'reference' | 'programme';
  readonly ceilingDbtp: Dbtp;
  readonly spoolFile: string | null;
  readonly frames: number;
  readonly decisions: string[];
  readonly seconds: number;
  /** The pre-gain signal, afresh for each pass. */
  source(): AsyncIterable<Float32Array[]>;
  /** Removes the spool. */
  dispose(): Promise<void>;
}

/** Album context of one track (the gain is shared by every track of the release). */
export interface AlbumContext {
  readonly gainDb: Decibels;
  readonly anchorId: string;
  readonly anchorLufs: Lufs;
  readonly reason: string;
}

/** Render passes at most: the first, then corrections of the limiter's loudness loss or of a peak. */
export const MAX_RENDER_PASSES = 6;

const f2 = (x: number): string => x.toFixed(2);

function figures(r: LoudnessResult): LoudnessFigures {
  return {
    integratedLufs: r.integratedLufs,
    loudnessRangeLu: r.loudnessRangeLu,
    truePeakDbtp: r.truePeakDbtp,
    samplePeakDbfs: r.samplePeakDbfs,
    shortTermMaxLufs: r.shortTermMaxLufs,
  };
}

function encodeFormat(p: ResolvedProfile): EncodeFormat {
  if (p.container === 'flac') {
    if (p.bitDepth === 32) throw new RangeError('FLAC holds at most 24 bits');
    return { codec: 'flac', bitDepth: p.bitDepth };
  }
  return {
    codec: 'wav',
    sampleFormat: p.bitDepth === 16 ? 's16' : p.bitDepth === 24 ? 's24' : 'f32',
    plainHeader: true,
  };
}

/**
 * The measuring pass (plus, when EQ, a reference or compression is asked for, an analysis pass
 * before it): decode, channel plan, subsonic, EQ, width, compression, SRC, then the project's meter
 * on the pre-gain signal at the output rate, which is spooled to disk for the render passes.
 */
export async function prepareTrack(o: MasterTrackOptions): Promise<PreparedTrack> {
  const t0 = performance.now();
  const p = o.profile;
  const id = o.id ?? basename(o.input);
  const decisions: string[] = [...p.changes];
  const probed = await probe(o.input);
  const inputRate = probed.audio.sampleRate;
  const channels: ChannelPlan = planChannels(probed.audio.channels, p.multichannel);
  if (channels.mode !== 'stereo') decisions.push(channels.description);
  const outputRate = chooseSampleRate(p, inputRate);
  if (outputRate !== inputRate)
    decisions.push(
      `sample rate ${inputRate} -> ${outputRate} Hz (profile ${p.sampleRate === 'source' ? `${p.minSampleRate}-${p.maxSampleRate} Hz` : `${p.sampleRate} Hz`}), before the limiter`,
    );

  const reference =
    typeof o.reference === 'string' ? await analyseSignal(o.reference) : (o.reference ?? null);
  const eqTarget = reference ? reference.bandsDb : eqTargetBands(p.eq);
  const eqSource = reference ? 'reference' : p.eq.mode === 'off' ? null : p.eq.mode;
  const needAnalysis = eqTarget !== null || p.compression === 'auto';
  const analysis = needAnalysis ? await analyseSignal(o.input, { channels, subsonicHz: p.subsonicHz }) : null;

  let targetLufs: Lufs | null = p.targetLufs;
  let targetSource: PreparedTrack['targetSource'] = p.targetLufs === null ? 'programme' : 'profile';
  if (reference && o.referenceLoudness !== false) {
    if (reference.integratedLufs === null)
      throw new MasteringError(
        'processing-failed',
        `the reference ${reference.file} has no measurable loudness (silent or shorter than 0.4 s)`,
      );
    targetLufs = reference.integratedLufs;
    targetSource = 'reference';
    decisions.push(`target ${f2(targetLufs)} LUFS: the reference's integrated loudness`);
  }
  const ceiling = ceilingForTarget(p, targetLufs);
  if (ceiling.rule && !p.changes.some((c) => c.startsWith('ceiling'))) decisions.push(ceiling.rule);

  let eq: TonalBalanceDesign | null = null;
  if (eqTarget && analysis) {
    // Matching a reference asks for a closer fit than leaning toward a house curve: a wider bound
    // and less smoothing (still a smooth, bounded EQ, never a per-bin copy of the reference).
    eq = designTonalBalance(eqTarget, analysis.bandsDb, inputRate, reference ? REFERENCE_EQ : {});
    decisions.push(
      eq.sections.length > 0
        ? `tonal balance toward the ${reference ? 'reference' : `'${p.eq.mode === 'curve' ? p.eq.curve : 'custom'}' curve`}: ${eq.sections.length} sections, at most ${f2(eq.maxAbsDb)} dB`
        : `tonal balance: no correction needed`,
    );
  }
  let sideGain: number | null = null;
  if (reference && analysis && channels.mode === 'stereo') {
    sideGain = widthMatchSideGain(
      analysis.widthDb ?? Number.NEGATIVE_INFINITY,
      reference.widthDb ?? Number.NEGATIVE_INFINITY,
    );
    if (sideGain !== 1)
      decisions.push(
        `stereo width matched to the reference: side gain ${sideGain.toFixed(3)} (${f2(20 * Math.log10(sideGain))} dB)`,
      );
  }
  let compressor: Omit<CompressorOptions, 'sampleRate' | 'channels'> | null = null;
  let compression: MasterReport['compression'] = {
    mode: p.compression,
    applied: false,
    reason: 'off by profile',
    settings: null,
    maxGainReductionDb: 0,
  };
  if (p.compression === 'auto' && analysis) {
    if (analysis.integratedLufs === null || analysis.truePeakDbtp === null) {
      compression = { ...compression, reason: 'input has no measurable loudness' };
    } else {
      const advice = adviseCompression(
        {
          integratedLoudness: analysis.integratedLufs,
          truePeak: analysis.truePeakDbtp,
          loudnessRange: analysis.loudnessRangeLu ?? undefined,
        },
        { loudness: targetLufs ?? analysis.integratedLufs, ceiling: ceiling.ceilingDbtp },
      );
      compressor = advice.compress && advice.settings ? advice.settings : null;
      compression = {
        mode: 'auto',
        applied: compressor !== null,
        reason: advice.reason,
        settings: compressor ? { ...(compressor as Record<string, number | string>) } : null,
        maxGainReductionDb: 0,
      };
      decisions.push(`compression: ${compressor ? 'applied' : 'not applied'} (${advice.reason})`);
    }
  }

  const spec: PreChainSpec = {
    inputRate,
    outputRate,
    channels,
    subsonicHz: p.subsonicHz,
    eq,
    sideGain,
    compressor,
  };
  const useSpool = o.spool !== false;
  const spoolFile = useSpool ? join(o.workDir, `.master-${randomBytes(6).toString('hex')}.spool`) : null;
  const writer = spoolFile ? new SpoolWriter(spoolFile, 2) : null;
  const rawMeter = new LoudnessMeter({ sampleRate: inputRate, channels: probed.audio.channels });
  const preMeter = new LoudnessMeter({ sampleRate: outputRate, channels: 2 });
  const chain = new PreChain(spec);
  let inFrames = 0;
  let outFrames = 0;
  try {
    const stream = decode(o.input, { probe: probed, replaceNonFinite: true });
    await stream.open();
    for await (const block of stream) {
      inFrames += block.frames;
      rawMeter.process(block.channels);
      const y = chain.process(block.channels);
      if (y[0].length > 0) {
        preMeter.process(y);
        outFrames += y[0].length;
        await writer?.write(y);
      }
    }
    const tail = chain.flush();
    if (tail[0].length > 0) {
      preMeter.process(tail);
      outFrames += tail[0].length;
      await writer?.write(tail);
    }
  } catch (e) {
    if (spoolFile) await removeSpool(spoolFile);
    throw e;
  } finally {
    await writer?.close();
  }
  if (compressor) compression = { ...compression, maxGainReductionDb: chain.compressorMaxReductionDb };
  const dispose = async () => {
    if (spoolFile) await removeSpool(spoolFile);
  };
  const pre = preMeter.result();
  const durationSeconds = inFrames / inputRate;
  if (pre.integratedLufs === null || pre.truePeakDbtp === null) {
    await dispose();
    if (durationSeconds < 0.4)
      throw new MasteringError(
        'too-short',
        `${f2(durationSeconds)} s of audio: loudness needs at least 0.4 s (one BS.1770 gating block)`,
      );
    throw new MasteringError(
      'target-not-met',
      'the input is silent: no loudness above the -70 LUFS gate to master to',
    );
  }
  return {
    options: o,
    id,
    probe: probed,
    inputLoudness: rawMeter.result(),
    durationSeconds,
    preGain: pre as PreparedTrack['preGain'],
    spec,
    resamplerTaps: chain.resamplerTaps,
    compression,
    eqCurveName: reference ? null : p.eq.mode === 'curve' ? p.eq.curve : null,
    eqSource,
    reference,
    inputWidthDb: analysis?.widthDb ?? null,
    targetLufs,
    targetSource,
    ceilingDbtp: ceiling.ceilingDbtp,
    spoolFile,
    frames: outFrames,
    decisions,
    seconds: (performance.now() - t0) / 1000,
    source: () => (spoolFile ? readSpool(spoolFile, 2) : recompute(o.input, probed, spec)),
    dispose,
  };
}

async function* recompute(
  file: string,
  probed: ProbeResult,
  spec: PreChainSpec,
): AsyncGenerator<Float32Array[]> {
  const chain = new PreChain(spec);
  const stream = decode(file, { probe: probed, replaceNonFinite: true });
  await stream.open();
  for await (const block of stream) {
    const y = chain.process(block.channels);
    if (y[0].length > 0) yield y;
  }
  const tail = chain.flush();
  if (tail[0].length > 0) yield tail;
}

/** The loudness plan of a single track (not album): toward the target, or the programme's own loudness. */
export function planTrack(t: PreparedTrack): LoudnessPlan {
  const p = t.options.profile;
  const desired = t.targetLufs === null ? 0 : t.targetLufs - t.preGain.integratedLufs;
  return planLoudness({
    ...t.preGain,
    desiredGainDb: desired,
    ceilingDbtp: t.ceilingDbtp,
    peakMarginDb: p.peakMarginDb,
    policy: p.policy,
  });
}

/**
 * The render passes and the verification: render with the planned gain (and limiter), measure the
 * written samples with the project's meter, correct a miss (the limiter's loudness loss by a gain
 * trim, a peak over the ceiling by a lower limiter ceiling or, linear, a lower gain), and fail with
 * 'target-not-met' rather than ship a master that misses. Every correction is in the report.
 */
export async function finishTrack(
  t: PreparedTrack,
  plan: LoudnessPlan,
  album: AlbumContext | null = null,
): Promise<MasterReport> {
  const t0 = performance.now();
  const o = t.options;
  const p = o.profile;
  const format = encodeFormat(p);
  const ceiling = t.ceilingDbtp;
  const tolerance = p.toleranceLu;
  const aim = Math.min(0.1, tolerance / 2);
  const rate = t.spec.outputRate;
  // the E- and F-weighted curves are designed for 44.1-48 kHz (libs/dsp Dither)
  const shapingFits =
    p.noiseShaping === 'none' || p.noiseShaping === 'second-order' || (rate >= 44100 && rate <= 48000);
  const ditherSpec =
    p.bitDepth === 32
      ? null
      : { bitDepth: p.bitDepth, noiseShaping: shapingFits ? p.noiseShaping : ('none' as const) };
  const decisions = [...t.decisions];
  if (album) decisions.push(album.reason);
  decisions.push(plan.reason);
  if (ditherSpec && ditherSpec.noiseShaping !== p.noiseShaping)
    decisions.push(`noise shaping '${p.noiseShaping}' is designed for 44.1-48 kHz: plain TPDF at ${rate} Hz`);

  let gain = plan.gainDb;
  let limit = plan.decision === 'limit';
  let limiterCeiling = ceiling;
  let expected = plan.expectedLufs;
  let decision: LoudnessDecision = plan.decision;
  let quieterBy = plan.quieterByLu;
  const passes: RenderPassFigures[] = [];
  const corrections: string[] = [];
  const history: { gain: number; lufs: number }[] = [];
  let last: RenderResult | null = null;
  let passed = false;
  try {
    // Linear passes are written at once (their result is known in advance); limited passes are
    // trials, measured only, and the accepted one is rendered again into the file (deterministic:
    // same gain, same limiter, same dither seed, same samples).
    const renderPass = (encodeIt: boolean) =>
      render(t.source(), {
        sampleRate: rate,
        channels: 2,
        gainDb: gain,
        limiter: limit ? { ceilingDbtp: limiterCeiling, marginDb: p.peakMarginDb } : null,
        dither: ditherSpec,
        dualMono: t.spec.channels.mode === 'dual-mono',
        encode: encodeIt ? { file: o.output, format } : null,
      });
    for (let pass = 1; pass <= MAX_RENDER_PASSES; pass++) {
      last = await renderPass(!limit);
      const lufs = last.output.integratedLufs;
      const tp = last.output.truePeakDbtp ?? Number.NEGATIVE_INFINITY;
      passes.push({
        gainDb: gain,
        limiter: limit,
        limiterCeilingDbtp: limit ? limiterCeiling : null,
        integratedLufs: lufs,
        truePeakDbtp: last.output.truePeakDbtp,
        seconds: last.seconds,
      });
      if (lufs === null) break;
      const dev = lufs - expected;
      const peakOk = tp <= ceiling;
      if (peakOk && Math.abs(dev) <= (limit && pass < 4 ? aim : tolerance)) {
        passed = true;
        break;
      }
      if (pass === MAX_RENDER_PASSES) break;
      if (!peakOk) {
        const over = tp - ceiling + 0.05;
        if (limit) {
          limiterCeiling -= over;
          corrections.push(
            `pass ${pass}: true peak ${f2(tp)} dBTP over the ${f2(ceiling)} dBTP ceiling: limiter ceiling lowered to ${f2(limiterCeiling)} dBTP`,
          );
        } else if (p.policy === 'quieter') {
          gain -= over;
          expected -= over;
          quieterBy += over;
          decision = 'quieter';
          corrections.push(
            `pass ${pass}: true peak ${f2(tp)} dBTP over the ${f2(ceiling)} dBTP ceiling: gain lowered by ${f2(over)} dB (policy 'quieter')`,
          );
        } else {
          limit = true;
          decision = 'limit';
          corrections.push(
            `pass ${pass}: true peak ${f2(tp)} dBTP over the ${f2(ceiling)} dBTP ceiling after linear gain: the true-peak limiter is engaged (policy 'limit'), the result is not linear`,
          );
        }
        history.length = 0;
        continue;
      }
      if (limit) {
        history.push({ gain, lufs });
        let slope = 1;
        if (history.length >= 2) {
          const a = history[history.length - 2];
          const b = history[history.length - 1];
          const raw = b.gain !== a.gain ? (b.lufs - a.lufs) / (b.gain - a.gain) : 1;
          if (raw < 0.1 && (expected - lufs) / Math.max(raw, 1e-3) > 6) {
            corrections.push(
              `pass ${pass}: ${f2(lufs)} LUFS; each dB of gain now adds ${f2(Math.max(0, raw))} LU (the limiter is saturated): ${f2(expected)} LUFS is out of reach`,
            );
            break;
          }
          slope = Math.min(1, Math.max(0.1, raw));
        }
        const step = Math.max(-6, Math.min(6, (expected - lufs) / slope));
        gain += step;
        corrections.push(
          `pass ${pass}: ${f2(lufs)} LUFS after limiting, ${f2(-dev)} LU from ${f2(expected)}: gain trimmed by ${f2(step)} dB`,
        );
      } else {
        gain -= dev;
        corrections.push(
          `pass ${pass}: ${f2(lufs)} LUFS, ${f2(-dev)} LU from ${f2(expected)}: gain trimmed by ${f2(-dev)} dB`,
        );
      }
    }
    let writePass = 0;
    if (passed && last && !last.encoded) {
      writePass = 1;
      const trial = last;
      last = await renderPass(true);
      if (
        last.output.integratedLufs !== trial.output.integratedLufs ||
        last.output.truePeakDbtp !== trial.output.truePeakDbtp
      ) {
        throw new MasteringError(
          'internal',
          'the written pass differs from its trial pass (non-deterministic chain)',
        );
      }
    }
    if (!last) throw new MasteringError('internal', 'no render pass ran');
    const out = last.output;
    const encoded = last.encoded;
    // the file as written: rate, channels, frames, depth, WAV format tag
    const written = encoded ? await readWrittenFormat(o.output, p.container) : null;
    const fileProblems: string[] = [];
    if (!encoded) fileProblems.push('not written (no pass was accepted)');
    else if (!written) fileProblems.push(`no readable ${p.container.toUpperCase()} header`);
    else {
      if (written.sampleRate !== rate) fileProblems.push(`rate ${written.sampleRate} Hz instead of ${rate}`);
      if (written.channels !== 2) fileProblems.push(`${written.channels} channels instead of 2`);
      if (written.frames !== last.frames)
        fileProblems.push(`${written.frames ?? 'unknown'} frames instead of ${last.frames}`);
      if (written.bitsPerSample !== p.bitDepth)
        fileProblems.push(`${written.bitsPerSample} bits instead of ${p.bitDepth}`);
      if (p.container === 'wav' && written.waveFormatTag !== (p.bitDepth === 32 ? 3 : 1)) {
        fileProblems.push(
          `WAV format tag 0x${(written.waveFormatTag ?? 0).toString(16)} instead of ${p.bitDepth === 32 ? 'IEEE float (3)' : 'WAVE_FORMAT_PCM (1)'}`,
        );
      }
    }
    const deviation = out.integratedLufs === null ? null : out.integratedLufs - expected;
    const verified =
      passed &&
      fileProblems.length === 0 &&
      out.truePeakDbtp !== null &&
      out.truePeakDbtp <= ceiling &&
      deviation !== null &&
      Math.abs(deviation) <= tolerance;
    const limiterStats = last.limiter;
    const seconds = t.seconds + (performance.now() - t0) / 1000;
    const report: MasterReport = {
      schema: 'pressline.master-report.v1',
      id: t.id,
      profile: {
        name: p.name,
        targetLufs: p.targetLufs,
        truePeakDbtp: p.ceilingDbtp,
        toleranceLu: tolerance,
        peakMarginDb: p.peakMarginDb,
        sampleRate: p.sampleRate,
        bitDepth: p.bitDepth,
        container: p.container,
        policy: p.policy,
        noiseShaping: p.noiseShaping,
        changes: p.changes,
      },
      input: {
        ...figures(t.inputLoudness),
        file: o.input,
        sampleRate: t.spec.inputRate,
        channels: t.probe.audio.channels,
        bitDepth: t.probe.audio.bitDepth,
        codec: t.probe.audio.codecName,
        durationSeconds: t.durationSeconds,
      },
      preGain: figures(t.preGain),
      output: {
        ...figures(out),
        file: o.output,
        container: p.container,
        sampleRate: rate,
        bitDepth: p.bitDepth,
        channels: 2,
        frames: last.frames,
        bytes: encoded?.bytes ?? 0,
        waveFormatTag: written?.waveFormatTag ?? null,
      },
      target: {
        lufs: album ? (p.targetLufs ?? null) : t.targetLufs,
        source: album ? 'album' : t.targetSource,
        ceilingDbtp: ceiling,
      },
      gainDb: gain,
      linear: !limit && !t.compression.applied,
      policy: { name: p.policy, decision, quieterByLu: quieterBy, reason: plan.reason },
      limiter:
        limit && limiterStats
          ? {
              ceilingDbtp: limiterCeiling,
              marginDb: p.peakMarginDb,
              maxGainReductionDb: limiterStats.maxGainReductionDb,
              meanGainReductionDb: limiterStats.meanGainReductionDb,
              secondsAbove1Db: limiterStats.secondsAbove1Db,
              activeFraction: limiterStats.activeFraction,
            }
          : null,
      channels: {
        input: t.spec.channels.inputChannels,
        output: 2,
        mode: t.spec.channels.mode,
        description: t.spec.channels.description,
      },
      subsonic: t.spec.subsonicHz !== null ? { frequencyHz: t.spec.subsonicHz, order: 4 } : null,
      eq:
        t.spec.eq && t.eqSource
          ? {
              source: t.eqSource,
              curve: t.eqCurveName,
              sections: t.spec.eq.sections,
              centresHz: THIRD_OCTAVE_CENTRES,
              curveDb: t.spec.eq.curveDb.map((v) => (Number.isFinite(v) ? v : null)),
              maxAbsDb: t.spec.eq.maxAbsDb,
            }
          : null,
      width:
        t.spec.sideGain !== null
          ? {
              sideGain: t.spec.sideGain,
              inputWidthDb: t.inputWidthDb,
              referenceWidthDb: t.reference?.widthDb ?? null,
            }
          : null,
      compression: t.compression,
      src:
        t.spec.inputRate !== rate
          ? {
              fromHz: t.spec.inputRate,
              toHz: rate,
              method: 'polyphase Kaiser-windowed sinc (libs/dsp Resampler), flat to 0.45 fs, 125 dB stopband',
              tapsPerPhase: t.resamplerTaps,
            }
          : null,
      dither: ditherSpec
        ? {
            bitDepth: ditherSpec.bitDepth,
            type: 'tpdf',
            noiseShaping: ditherSpec.noiseShaping,
            clippedSamples: last.ditherClippedSamples,
          }
        : null,
      reference: t.reference
        ? {
            file: t.reference.file,
            integratedLufs: t.reference.integratedLufs,
            widthDb: t.reference.widthDb,
            sampleRate: t.reference.sampleRate,
          }
        : null,
      album: album
        ? {
            gainDb: album.gainDb,
            anchorId: album.anchorId,
            anchorLufs: album.anchorLufs,
            isAnchor: album.anchorId === t.id,
            reason: album.reason,
          }
        : null,
      verification: {
        passed: verified,
        meter: 'pressline LoudnessMeter (BS.1770-5, true peak 4x)',
        expectedLufs: expected,
        integratedLufs: out.integratedLufs,
        deviationLu: deviation,
        toleranceLu: tolerance,
        truePeakDbtp: out.truePeakDbtp,
        ceilingDbtp: ceiling,
        fileChecked: fileProblems.length === 0,
        passes,
        corrections: [...corrections, ...fileProblems.map((f) => `written file: ${f}`)],
      },
      decisions: [...decisions, ...corrections],
      timing: { seconds, realtimeFactor: t.durationSeconds / seconds, passes: passes.length + writePass },
    };
    if (!verified) {
      await rm(o.output, { force: true });
      const why =
        passed && fileProblems.length > 0
          ? `the written file differs: ${fileProblems.join('; ')}`
          : `after ${passes.length} passes the output measures ${out.integratedLufs === null ? 'no loudness' : `${f2(out.integratedLufs)} LUFS`} (expected ${f2(expected)} +-${tolerance}) and ${out.truePeakDbtp === null ? 'no' : f2(out.truePeakDbtp)} dBTP (ceiling ${f2(ceiling)})`;
      throw new MasteringError('target-not-met', `${p.name}: ${why}; nothing was delivered`, { report });
    }
    return report;
  } catch (e) {
    if (!(e instanceof MasteringError)) await rm(o.output, { force: true });
    throw e;
  } finally {
    await t.dispose();
  }
}

/**
 * Masters one file to one profile: measure, plan, render, verify. With `album`, the gain is the
 * album's (this track's peaks still decide linear / limit / quieter). Throws MasteringError.
 */
export async function masterTrack(o: MasterTrackOptions): Promise<MasterReport> {
  const t = await prepareTrack(o);
  let plan: LoudnessPlan;
  try {
    plan = o.album
      ? planLoudness({
          ...t.preGain,
          desiredGainDb: o.album.gainDb,
          ceilingDbtp: t.ceilingDbtp,
          peakMarginDb: o.profile.peakMarginDb,
          policy: o.profile.policy,
        })
      : planTrack(t);
  } catch (e) {
    await t.dispose();
    throw e;
  }
  return finishTrack(t, plan, o.album ?? null);
}

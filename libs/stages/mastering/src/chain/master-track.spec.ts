import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcmHeader } from '@pressline/audio';
import { SubsonicFilter, THIRD_OCTAVE_CENTRES } from '@pressline/dsp';
import { EQ_CURVES, getProfile, PROFILE_NAMES, resolveProfile, type CliAdjustments } from '../profiles';
import { addKicks, maxAbsDiff, measure, programme, readBack, scaleToLufs, writeWav } from '../spec-helpers';
import { analyseSignal, spectralDistanceDb } from './analyse';
import { MasteringError } from './errors';
import { masterAlbum } from './master-album';
import { masterTrack } from './master-track';

// The chain on material of known loudness, every figure checked on the written file by reading it
// back with ffmpeg and the project's meter (not by trusting the report).
jest.setTimeout(60_000);

let dir: string;
let gentle: string; // -20 LUFS, true peak far under every ceiling: linear everywhere
let peaky: string; // -20 LUFS with kicks at -1.5 dBFS: reaching -14 needs limiting (or going quieter)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mastering-'));
  gentle = await writeWav(dir, 'gentle.wav', scaleToLufs(programme(3, 44100), 44100, -20), 44100);
  const p = scaleToLufs(programme(3, 44100, { seed: 7 }), 44100, -26);
  addKicks(p, 44100, 0.84);
  peaky = await writeWav(dir, 'peaky.wav', scaleToLufs(p, 44100, -20), 44100);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const profile = (name: string, cli: CliAdjustments = {}) => resolveProfile(getProfile(name), {}, cli);
const run = (
  input: string,
  name: string,
  cli: CliAdjustments = {},
  out = `${name}-${Math.random().toString(36).slice(2)}`,
) => {
  const p = profile(name, cli);
  return masterTrack({ input, output: join(dir, `${out}.${p.container}`), profile: p, workDir: dir });
};

describe('every profile', () => {
  it.each(PROFILE_NAMES.map((n) => [n]))(
    '%s: hits its target within +-0.2 LU under its ceiling, read back from the file',
    async (name) => {
      const r = await run(gentle, name);
      const back = await readBack(r.output.file);
      const target = getProfile(name).targetLufs ?? -20; // CD keeps the programme's loudness
      expect(Math.abs(back.loudness.integratedLufs! - target)).toBeLessThanOrEqual(0.2);
      expect(back.loudness.truePeakDbtp!).toBeLessThanOrEqual(getProfile(name).truePeakDbtp);
      expect(back.sampleRate).toBe(r.output.sampleRate);
      expect(r.verification.passed).toBe(true);
      expect(r.linear).toBe(true);
    },
  );
});

describe('linear gain', () => {
  it('is plain gain when the peaks allow it: output = input x gain, no limiter', async () => {
    const r = await run(gentle, 'spotify');
    expect(r.limiter).toBeNull();
    expect(r.policy.decision).toBe('linear');
    // the output is the input through the 15 Hz subsonic filter times the gain, up to 24-bit dither
    const inp = (await readBack(gentle)).channels;
    new SubsonicFilter({ sampleRate: 44100, channels: 2, frequency: 15 }).process(inp);
    const g = Math.pow(10, r.gainDb / 20);
    for (const c of inp) for (let i = 0; i < c.length; i++) c[i] *= g;
    const out = (await readBack(r.output.file)).channels;
    // TPDF: rounding (+-0.5 LSB) plus dither (+-1 LSB)
    expect(maxAbsDiff(out[0], inp[0]) * 8388608).toBeLessThanOrEqual(1.51);
    expect(maxAbsDiff(out[1], inp[1]) * 8388608).toBeLessThanOrEqual(1.51);
    expect(r.gainDb).toBeCloseTo(6, 1);
  });
});

describe('the limiter', () => {
  it("limits only when linear gain would break the ceiling (policy 'limit'), and says so", async () => {
    const r = await run(peaky, 'spotify');
    expect(r.linear).toBe(false);
    expect(r.policy.decision).toBe('limit');
    expect(r.limiter!.maxGainReductionDb).toBeGreaterThan(1);
    expect(r.decisions.join('\n')).toMatch(/policy 'limit'/);
    const back = await readBack(r.output.file);
    expect(Math.abs(back.loudness.integratedLufs! + 14)).toBeLessThanOrEqual(0.2);
    expect(back.loudness.truePeakDbtp!).toBeLessThanOrEqual(-1);
  });

  it('is not used on the same material at a target linear gain reaches', async () => {
    const r = await run(peaky, 'broadcast-r128');
    expect(r.limiter).toBeNull();
    expect(r.linear).toBe(true);
  });
});

describe("policy 'quieter'", () => {
  it('delivers a linear master quieter than the target and reports by how much', async () => {
    const r = await run(peaky, 'apple-digital-masters');
    expect(r.policy.decision).toBe('quieter');
    expect(r.linear).toBe(true);
    expect(r.limiter).toBeNull();
    expect(r.policy.quieterByLu).toBeGreaterThan(0.5);
    const back = await readBack(r.output.file);
    expect(back.loudness.integratedLufs!).toBeCloseTo(-16 - r.policy.quieterByLu, 1);
    expect(back.loudness.truePeakDbtp!).toBeLessThanOrEqual(-1);
  });
});

describe('dither', () => {
  it('adds TPDF dither when the depth drops to 16 bits: digital silence becomes noise of LSB/2 RMS', async () => {
    const fs = 44100;
    const x = scaleToLufs(programme(3, fs), fs, -20);
    for (const c of x) c.fill(0, 2 * fs, 3 * fs);
    const input = await writeWav(dir, 'with-silence.wav', x, fs, 'float32');
    const r = await run(input, 'spotify', { bitDepth: 16 });
    expect(r.dither).toMatchObject({ bitDepth: 16, type: 'tpdf', noiseShaping: 'none' });
    const back = await readBack(r.output.file);
    let e = 0;
    const from = Math.round(2.3 * fs);
    const to = Math.round(2.7 * fs);
    for (let i = from; i < to; i++) e += back.channels[0][i] ** 2;
    const rms = Math.sqrt(e / (to - from));
    expect(rms * 32768).toBeGreaterThan(0.4);
    expect(rms * 32768).toBeLessThan(0.6);
  });

  it('is not applied to a 32-bit float master', async () => {
    const r = await run(gentle, 'spotify', { bitDepth: 32 });
    expect(r.dither).toBeNull();
    expect(r.output.waveFormatTag).toBe(3);
  });
});

describe('sample-rate conversion', () => {
  it('converts 48 kHz to 44.1 kHz for the CD, exact length, level kept', async () => {
    const fs = 48000;
    const n = 4 * fs;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / fs));
    const input = await writeWav(dir, 'tone48.wav', [tone, Float32Array.from(tone)], fs);
    const r = await run(input, 'cd');
    expect(r.src).toMatchObject({ fromHz: 48000, toHz: 44100 });
    const back = await readBack(r.output.file);
    expect(back.sampleRate).toBe(44100);
    expect(back.channels[0].length).toBe(Math.ceil((n * 147) / 160));
    // CD keeps the programme's loudness: a linear, unity-gain conversion
    expect(r.gainDb).toBe(0);
    expect(back.loudness.integratedLufs!).toBeCloseTo(measure([tone, tone], fs).integratedLufs!, 1);
  });

  it('is not used when the rate stays', async () => {
    expect((await run(gentle, 'spotify')).src).toBeNull();
  });
});

describe('channels', () => {
  it('delivers mono as dual mono at the target', async () => {
    const fs = 44100;
    const m = scaleToLufs([programme(3, fs)[0]], fs, -24);
    const input = await writeWav(dir, 'mono.wav', m, fs);
    const r = await run(input, 'spotify');
    expect(r.channels.mode).toBe('dual-mono');
    const back = await readBack(r.output.file);
    expect(back.channels).toHaveLength(2);
    expect(maxAbsDiff(back.channels[0], back.channels[1])).toBe(0);
    expect(Math.abs(back.loudness.integratedLufs! + 14)).toBeLessThanOrEqual(0.2);
  });

  it('down-mixes 5.1 for a streaming profile (BS.775), reported', async () => {
    const fs = 48000;
    const [l, r] = scaleToLufs(programme(3, fs), fs, -26);
    const input = await writeWav(dir, 'surround.wav', [l, r, l, new Float32Array(l.length), r, l], fs);
    const rep = await run(input, 'spotify');
    expect(rep.channels).toMatchObject({ input: 6, output: 2, mode: 'downmix-bs775' });
    expect(Math.abs((await readBack(rep.output.file)).loudness.integratedLufs! + 14)).toBeLessThanOrEqual(
      0.2,
    );
  });

  it('refuses 5.1 for a broadcast profile', async () => {
    const fs = 48000;
    const l = programme(2, fs)[0];
    const input = await writeWav(dir, 'surround2.wav', [l, l, l, l, l, l], fs);
    await expect(run(input, 'broadcast-r128')).rejects.toMatchObject({ code: 'unsupported-channel-layout' });
  });
});

describe('verification', () => {
  it('fails with target-not-met, and writes nothing, when the target cannot be reached', async () => {
    const out = join(dir, 'impossible.wav');
    const p = resolveProfile(getProfile('spotify'), {}, { targetLufs: -5, truePeakDbtp: -9 });
    const e = await masterTrack({ input: peaky, output: out, profile: p, workDir: dir }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(MasteringError);
    expect((e as MasteringError).code).toBe('target-not-met');
    expect((e as MasteringError).report?.verification.passed).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('writes Spotify WAV as plain WAVE_FORMAT_PCM', async () => {
    const r = await run(gentle, 'spotify');
    expect(r.output.waveFormatTag).toBe(1);
    expect((await readPcmHeader(r.output.file))!.formatTag).toBe(1);
  });

  it('refuses an input shorter than one gating block (0.4 s) as too-short', async () => {
    const input = await writeWav(dir, 'blip.wav', programme(0.2, 44100), 44100);
    await expect(run(input, 'spotify')).rejects.toMatchObject({ code: 'too-short' });
  });

  it('refuses digital silence as target-not-met', async () => {
    const input = await writeWav(
      dir,
      'silence.wav',
      [new Float32Array(44100 * 2), new Float32Array(44100 * 2)],
      44100,
    );
    await expect(run(input, 'spotify')).rejects.toMatchObject({ code: 'target-not-met' });
  });

  it('gives the same master without the spool (recomputing the pre-gain chain every pass)', async () => {
    const p = profile('cd');
    const a = await masterTrack({ input: peaky, output: join(dir, 'spool-a.wav'), profile: p, workDir: dir });
    const b = await masterTrack({
      input: peaky,
      output: join(dir, 'spool-b.wav'),
      profile: p,
      workDir: dir,
      spool: false,
    });
    expect(
      maxAbsDiff((await readBack(a.output.file)).channels[0], (await readBack(b.output.file)).channels[0]),
    ).toBe(0);
  });
});

describe('album mode', () => {
  it('keeps the loudness differences between tracks, anchored on the loudest', async () => {
    const fs = 44100;
    const inputs = [];
    for (const [i, lufs] of [-18, -22, -27].entries())
      inputs.push(
        await writeWav(dir, `album-${i}.wav`, scaleToLufs(programme(3, fs, { seed: 20 + i }), fs, lufs), fs),
      );
    const outDir = await mkdtemp(join(dir, 'album-out-'));
    const r = await masterAlbum({ inputs, outputDir: outDir, profile: profile('tidal'), workDir: dir });
    expect(r.anchorId).toBe('album-0.wav');
    expect(r.gainDb).toBeCloseTo(4, 1);
    const out = await Promise.all(
      r.tracks.map(async (t) => (await readBack(t.output.file)).loudness.integratedLufs!),
    );
    expect(Math.abs(out[0] + 14)).toBeLessThanOrEqual(0.2);
    expect(out[0] - out[1]).toBeCloseTo(4, 1);
    expect(out[0] - out[2]).toBeCloseTo(9, 1);
    expect(r.tracks.every((t) => t.linear && t.album?.gainDb === r.gainDb)).toBe(true);
  });

  it('limits only the track whose peaks need it, and keeps its loudness as made', async () => {
    const outDir = await mkdtemp(join(dir, 'album-out-'));
    const r = await masterAlbum({
      inputs: [gentle, peaky],
      outputDir: outDir,
      profile: profile('spotify'),
      workDir: dir,
    });
    const [g, p] = r.tracks;
    expect(g.limiter).toBeNull();
    expect(p.limiter).not.toBeNull();
    const lg = (await readBack(g.output.file)).loudness;
    const lp = (await readBack(p.output.file)).loudness;
    expect(lg.integratedLufs! - lp.integratedLufs!).toBeCloseTo(0, 0);
    expect(Math.abs(lg.integratedLufs! - lp.integratedLufs!)).toBeLessThanOrEqual(0.3);
    expect(lp.truePeakDbtp!).toBeLessThanOrEqual(-1);
  });
});

describe('reference mastering', () => {
  it("moves the spectral balance, loudness and width toward the reference's", async () => {
    const fs = 44100;
    const input = await writeWav(
      dir,
      'bright.wav',
      scaleToLufs(programme(3, fs, { tilt: 0.6, side: 0.2, seed: 3 }), fs, -22),
      fs,
    );
    const reference = await writeWav(
      dir,
      'dark-ref-48k.wav',
      scaleToLufs(programme(3, 48000, { tilt: 0.3, side: 0.6, seed: 9 }), 48000, -12),
      48000,
    );
    const r = await masterTrack({
      input,
      output: join(dir, 'ref-out.wav'),
      profile: profile('spotify'),
      workDir: dir,
      reference,
    });
    expect(r.target.source).toBe('reference');
    expect(r.eq!.sections.length).toBeGreaterThan(0);
    expect(r.width!.sideGain).toBeGreaterThan(1);
    const spectrum = async (file: string) => (await analyseSignal(file)).bandsDb;
    const ref = await spectrum(reference);
    const before = spectralDistanceDb(await spectrum(input), ref, THIRD_OCTAVE_CENTRES);
    const after = spectralDistanceDb(await spectrum(r.output.file), ref, THIRD_OCTAVE_CENTRES);
    expect(after).toBeLessThan(0.6 * before);
    const back = await readBack(r.output.file);
    expect(Math.abs(back.loudness.integratedLufs! + 12)).toBeLessThanOrEqual(0.2);
    expect(back.loudness.truePeakDbtp!).toBeLessThanOrEqual(-2); // -12 LUFS is louder than -14: Spotify's -2 dBTP
  });
});

describe('tonal balance toward a curve', () => {
  it('is off by default', async () => {
    expect((await run(gentle, 'tidal')).eq).toBeNull();
  });

  it('moves the balance toward the curve, bounded to +-4 dB, when asked for', async () => {
    const r = await run(gentle, 'tidal', { eq: { mode: 'curve', curve: 'pink' } });
    expect(r.eq!.source).toBe('curve');
    expect(r.eq!.maxAbsDb).toBeLessThanOrEqual(4);
    const pink = EQ_CURVES.pink;
    const before = spectralDistanceDb((await analyseSignal(gentle)).bandsDb, pink, THIRD_OCTAVE_CENTRES);
    const after = spectralDistanceDb(
      (await analyseSignal(r.output.file)).bandsDb,
      pink,
      THIRD_OCTAVE_CENTRES,
    );
    expect(after).toBeLessThan(before - 1);
    expect(Math.abs(r.output.integratedLufs! + 14)).toBeLessThanOrEqual(0.2);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../../../libs/testing/src/wav';
import { analyzeCommand } from './analyze';

// `pressline analyze --json`: its field names are a public interface.
let dir: string;
let out: string[];
let spy: jest.SpyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'analyze-'));
  const n = 48000 * 5;
  const amp = 10 ** (-23 / 20);
  const sine = Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 1000 * i) / 48000));
  await writeFile(
    join(dir, 'minus23.wav'),
    encodeWav({ sampleRate: 48000, channels: [sine, sine] }, { format: 'int24' }),
  );
  await writeFile(
    join(dir, 'silence.wav'),
    encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100), new Float32Array(44100)] }),
  );
  await writeFile(join(dir, 'image.wav'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  // valid WAVs whose rates the analysers do not take (6 kHz) or must decimate less (16 and 32 kHz)
  for (const rate of [6000, 16000, 32000]) {
    const tone = Float32Array.from(
      { length: rate * 3 },
      (_, i) => 0.1 * Math.sin((2 * Math.PI * 440 * i) / rate),
    );
    await writeFile(join(dir, `tone${rate}.wav`), encodeWav({ sampleRate: rate, channels: [tone] }));
  }
  // 12 s of a 128 BPM click over an A minor triad: tempo and key known by construction.
  const fs = 44100;
  const len = fs * 12;
  const music = new Float32Array(len);
  const beat = (60 / 128) * fs;
  for (let b = 0; b * beat < len; b++) {
    const at = Math.round(b * beat);
    for (let i = 0; i < 400 && at + i < len; i++)
      music[at + i] += 0.5 * Math.exp(-i / 60) * Math.sin((2 * Math.PI * 1500 * i) / fs);
  }
  for (const hz of [220, 261.63, 329.63, 110])
    for (let i = 0; i < len; i++) music[i] += 0.08 * Math.sin((2 * Math.PI * hz * i) / fs);
  await writeFile(
    join(dir, 'click128-aminor.wav'),
    encodeWav({ sampleRate: fs, channels: [music, music] }, { format: 'int24' }),
  );
});

beforeEach(() => {
  out = [];
  spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());

const lines = (): Array<Record<string, any>> =>
  out
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

it('prints one JSON object with the documented fields', async () => {
  const file = join(dir, 'minus23.wav');
  expect(await analyzeCommand(['--json', file])).toBe(0);
  const [m] = lines();
  expect(m.file).toBe(file);
  expect(m.format).toMatchObject({ sampleRate: 48000, channels: 2, bitDepth: 24, codec: 'pcm_s24le' });
  expect(m.format.durationSeconds).toBeCloseTo(5, 6);
  expect(m.loudness.integratedLufs).toBeCloseTo(-23, 1);
  expect(m.loudness.momentaryMaxLufs).toBeCloseTo(-23, 1);
  expect(m.loudness.shortTermMaxLufs).toBeCloseTo(-23, 1);
  expect(m.loudness.truePeakDbtp).toBeCloseTo(-23, 0);
  expect(m.loudness.samplePeakDbfs).toBeCloseTo(-23, 1);
  expect(m.loudness.loudnessRangeLu).toBeCloseTo(0, 0);
  expect(m.qc.status).toMatch(/pass|warn|fail/);
  expect(Array.isArray(m.qc.findings)).toBe(true);
  expect(m.loudness.momentarySeries).toBeUndefined();
});

it('adds the 10 Hz series with --series', async () => {
  await analyzeCommand(['--json', '--series', join(dir, 'minus23.wav')]);
  const [m] = lines();
  expect(m.loudness.momentarySeries).toHaveLength(50);
  expect(m.loudness.shortTermSeries).toHaveLength(50);
  expect(m.loudness.momentarySeries[10]).toBeCloseTo(-23, 1);
});

it('prints one line per file, in order, and null for values that do not exist', async () => {
  await analyzeCommand(['--json', join(dir, 'minus23.wav'), join(dir, 'silence.wav')]);
  const [a, b] = lines();
  expect(a.file).toMatch(/minus23/);
  expect(b.file).toMatch(/silence/);
  expect(b.loudness.integratedLufs).toBeNull();
  expect(b.loudness.truePeakDbtp).toBeNull();
});

it('exits 2 with a one-line reason in the JSON of an unreadable file, and goes on with the others', async () => {
  const code = await analyzeCommand([
    '--json',
    join(dir, 'image.wav'),
    join(dir, 'minus23.wav'),
    join(dir, 'missing.wav'),
  ]);
  expect(code).toBe(2);
  const [bad, good, missing] = lines();
  expect(bad).toMatchObject({ file: join(dir, 'image.wav'), code: 'not-audio' });
  expect(bad.error).toMatch(/^not-audio: /);
  expect(bad.error).not.toContain('\n');
  expect(good.loudness.integratedLufs).toBeCloseTo(-23, 1);
  expect(missing.code).toBe('not-found');
  expect(spy).toHaveBeenCalled();
});

it('refuses a 6 kHz file with a one-line reason and measures 16 and 32 kHz files', async () => {
  const code = await analyzeCommand([
    '--json',
    ...[6000, 16000, 32000].map((r) => join(dir, `tone${r}.wav`)),
  ]);
  expect(code).toBe(2);
  const [low, mid, high] = lines();
  expect(low).toMatchObject({ file: join(dir, 'tone6000.wav'), code: 'unsupported' });
  expect(low.error).toMatch(/^unsupported: sample rate 6000 Hz/);
  for (const m of [mid, high]) {
    expect(m.error).toBeUndefined();
    expect(m.tuningHz).toBeCloseTo(440, -1);
    expect(m.key.tonic).toBe('A');
  }
});

it('adds tempo, beats, downbeats, metre, key and tuning', async () => {
  await analyzeCommand(['--json', join(dir, 'click128-aminor.wav')]);
  const [m] = lines();
  expect(m.tempo.bpm).toBeCloseTo(128, 0);
  expect(Array.isArray(m.tempo.candidates)).toBe(true);
  expect(typeof m.tempo.steady).toBe('boolean');
  expect(m.beats.length).toBeGreaterThan(20);
  expect(m.downbeats.length).toBeGreaterThan(3);
  expect(m.beatsPerBar).toBeGreaterThanOrEqual(2);
  expect(m.key).toMatchObject({ tonic: 'A', mode: 'minor', label: 'A minor', camelot: '8A', openKey: '1m' });
  expect(m.key.runnerUp.label).toEqual(expect.any(String));
  expect(m.tuningHz).toBeCloseTo(440, 0);
});

it('measures loudness only with --only loudness, and honours a BPM range', async () => {
  await analyzeCommand(['--json', '--only', 'loudness', join(dir, 'click128-aminor.wav')]);
  await analyzeCommand(['--json', '--bpm-range', '40-90', join(dir, 'click128-aminor.wav')]);
  const [only, ranged] = lines();
  expect(only.tempo).toBeUndefined();
  expect(only.key).toBeUndefined();
  expect(ranged.tempo.bpm).toBeCloseTo(64, 0);
  await expect(
    analyzeCommand(['--json', '--bpm-range', 'fast', join(dir, 'click128-aminor.wav')]),
  ).rejects.toThrow(/bpm-range/);
});

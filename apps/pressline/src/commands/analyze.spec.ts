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
  await writeFile(join(dir, 'minus23.wav'), encodeWav({ sampleRate: 48000, channels: [sine, sine] }, { format: 'int24' }));
  await writeFile(join(dir, 'silence.wav'), encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100), new Float32Array(44100)] }));
  await writeFile(join(dir, 'image.wav'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
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

const lines = (): Array<Record<string, any>> => out.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

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
  const code = await analyzeCommand(['--json', join(dir, 'image.wav'), join(dir, 'minus23.wav'), join(dir, 'missing.wav')]);
  expect(code).toBe(2);
  const [bad, good, missing] = lines();
  expect(bad).toMatchObject({ file: join(dir, 'image.wav'), code: 'not-audio' });
  expect(bad.error).toMatch(/^not-audio: /);
  expect(bad.error).not.toContain('\n');
  expect(good.loudness.integratedLufs).toBeCloseTo(-23, 1);
  expect(missing.code).toBe('not-found');
  expect(spy).toHaveBeenCalled();
});

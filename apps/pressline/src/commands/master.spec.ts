import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../../../libs/testing/src/wav';
import { UsageError } from '../args';
import { masterCommand } from './master';

// `pressline master`: names, exit codes and the --json report are a public interface.
jest.setTimeout(60_000);

let dir: string;
let out: string[];

function programme(seconds: number, lufsOffsetDb: number, seed: number): Float32Array[] {
  const n = Math.round(seconds * 44100);
  let s = seed;
  const g = Math.pow(10, lufsOffsetDb / 20);
  return [0, 1].map(() =>
    Float32Array.from({ length: n }, (_, i) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return g * (0.1 * (s / 4294967296 - 0.5) + 0.05 * Math.sin((2 * Math.PI * 220 * i) / 44100));
    }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'master-cli-'));
  await writeFile(
    join(dir, 'song.wav'),
    encodeWav({ sampleRate: 44100, channels: programme(4, 0, 1) }, { format: 'int24' }),
  );
  await mkdir(join(dir, 'album'));
  await writeFile(
    join(dir, 'album', '01.wav'),
    encodeWav({ sampleRate: 44100, channels: programme(4, 0, 2) }, { format: 'int24' }),
  );
  await writeFile(
    join(dir, 'album', '02.wav'),
    encodeWav({ sampleRate: 44100, channels: programme(4, -5, 3) }, { format: 'int24' }),
  );
  await writeFile(join(dir, 'album', 'notes.txt'), 'not audio');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  out = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());

it('masters one file and prints the report as JSON with --json', async () => {
  const file = join(dir, 'song-spotify.wav');
  expect(await masterCommand([join(dir, 'song.wav'), '--profile', 'spotify', '--out', file, '--json'])).toBe(
    0,
  );
  const r = JSON.parse(out.join(''));
  expect(r.schema).toBe('pressline.master-report.v1');
  expect(r.output).toMatchObject({ file, container: 'wav', bitDepth: 24, waveFormatTag: 1 });
  expect(Math.abs(r.output.integratedLufs + 14)).toBeLessThanOrEqual(0.2);
  expect(r).toHaveProperty('linear');
  expect(r.verification.passed).toBe(true);
  expect(existsSync(file)).toBe(true);
});

it('takes --target, --ceiling, --bits and the container from the extension', async () => {
  const file = join(dir, 'song-custom.flac');
  expect(
    await masterCommand([
      join(dir, 'song.wav'),
      '--profile',
      'spotify',
      '--target',
      '-18',
      '--ceiling',
      '-2',
      '--bits',
      '16',
      '--out',
      file,
      '--json',
    ]),
  ).toBe(0);
  const r = JSON.parse(out.join(''));
  expect(r.output).toMatchObject({ container: 'flac', bitDepth: 16 });
  expect(r.target).toMatchObject({ lufs: -18, ceilingDbtp: -2 });
  expect(r.profile.changes.join(' ')).toMatch(/command line/);
});

it('masters a folder with --album into OUT, one gain for all', async () => {
  const outDir = join(dir, 'album-out');
  expect(
    await masterCommand(['--album', join(dir, 'album'), '--profile', 'tidal', '--out', outDir, '--json']),
  ).toBe(0);
  const r = JSON.parse(out.join(''));
  expect(r.schema).toBe('pressline.album-master-report.v1');
  expect(r.tracks).toHaveLength(2);
  expect(r.anchorId).toBe('01.wav');
  expect((await readdir(outDir)).sort()).toEqual(['01.flac', '02.flac']);
  expect(r.tracks[0].output.integratedLufs - r.tracks[1].output.integratedLufs).toBeCloseTo(5, 0);
});

it('exits 1 and writes nothing when the target cannot be met', async () => {
  const file = join(dir, 'never.wav');
  expect(
    await masterCommand([
      join(dir, 'song.wav'),
      '--profile',
      'spotify',
      '--target',
      '-5',
      '--ceiling',
      '-9',
      '--out',
      file,
      '--json',
    ]),
  ).toBe(1);
  expect(JSON.parse(out.join(''))).toMatchObject({ code: 'target-not-met' });
  expect(existsSync(file)).toBe(false);
});

it('exits 2 for an input that does not exist', async () => {
  expect(
    await masterCommand([join(dir, 'missing.wav'), '--profile', 'spotify', '--out', join(dir, 'x.wav')]),
  ).toBe(2);
});

it('refuses an unknown profile, a bad output extension and a missing --out as usage errors', async () => {
  await expect(
    masterCommand([join(dir, 'song.wav'), '--profile', 'napster', '--out', join(dir, 'x.wav')]),
  ).rejects.toThrow(UsageError);
  await expect(
    masterCommand([join(dir, 'song.wav'), '--profile', 'spotify', '--out', join(dir, 'x.mp3')]),
  ).rejects.toThrow(/\.wav or \.flac/);
  await expect(masterCommand([join(dir, 'song.wav'), '--profile', 'spotify'])).rejects.toThrow(/--out/);
});

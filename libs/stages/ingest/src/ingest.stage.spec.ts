import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId, type ReleaseRecord } from '@pressline/contracts';
import { silentLogger } from '@pressline/logging';
import { InlinePool, StageError, type StageContext } from '@pressline/pipeline';
import { Keys, LocalFolderStore } from '@pressline/storage';
import { decodeWav, encodeWav } from '../../../testing/src/wav';
import { IngestStage } from './ingest.stage';

// The broken-input corpus of issue 4, made by the test itself: each input yields its documented
// code (contracts/errors.ts) and a readable reason, never a crash or a hang.
let dir: string;
let store: LocalFolderStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-'));
  store = new LocalFolderStore(join(dir, 'store'));
  await store.ensureReady();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tone(seconds: number, channels = 2, fs = 44100, db = -6): Float32Array[] {
  const n = Math.round(seconds * fs);
  const amp = 10 ** (db / 20);
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * (440 + 10 * c) * i) / fs)),
  );
}

function ffmpeg(input: Buffer, args: string[], ext: string): Buffer {
  const inFile = join(dir, `in-${newId('job')}.wav`);
  const outFile = join(dir, `out-${newId('job')}.${ext}`);
  writeFileSync(inFile, input);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', inFile, ...args, outFile]);
  return readFileSync(outFile);
}

async function ingest(
  bytes: Buffer,
  fileName: string,
  meta: { isrc?: string; upc?: string } = {},
  stage = new IngestStage(),
) {
  const releaseId = newId('rel');
  const trackId = newId('trk');
  const key = Keys.upload('acme', releaseId, trackId, 0, fileName);
  await store.put(key, bytes);
  const record: ReleaseRecord = {
    schema: 'pressline.release.v1',
    tenantId: 'acme',
    releaseId,
    createdAt: new Date().toISOString(),
    submission: {
      title: 'R',
      artist: 'A',
      upc: meta.upc,
      profiles: ['spotify'],
      tracks: [{ title: 'T', isrc: meta.isrc, fileName }],
    },
    tracks: [{ trackId, position: 1, route: ['ingest'], sources: [{ name: 'master', fileName, key }] }],
  };
  const workDir = await mkdtemp(join(dir, 'work-'));
  const ctx: StageContext = {
    request: {
      schema: 'pressline.step.requested.v1',
      messageId: 'm',
      tenantId: 'acme',
      releaseId,
      trackId,
      jobId: newId('job'),
      step: 'ingest',
      route: ['ingest'],
      inputs: { 'source.0': key },
      params: {},
      requestedAt: new Date().toISOString(),
    },
    store,
    outputPrefix: Keys.stepOutput('acme', releaseId, trackId, 'ingest', 'h'),
    workDir,
    logger: silentLogger(),
    cpu: new InlinePool(),
    progress: () => undefined,
    release: async () => record,
  };
  return stage.run(ctx);
}

async function refusal(
  bytes: Buffer,
  fileName: string,
  meta: { isrc?: string; upc?: string } = {},
  stage?: IngestStage,
): Promise<StageError> {
  try {
    await ingest(bytes, fileName, meta, stage);
  } catch (e) {
    if (e instanceof StageError) return e;
    throw e;
  }
  throw new Error('ingest accepted the file');
}

describe('ingest accepts good audio', () => {
  it('stores a 24-bit WAV as a bit-exact 24-bit FLAC canonical copy', async () => {
    const wav = encodeWav({ sampleRate: 48000, channels: tone(2, 2, 48000) }, { format: 'int24' });
    const result = await ingest(wav, 'master.wav');
    const key = result.outputs['canonical.0'];
    expect(key).toMatch(/canonical-0\.flac$/);
    const flac = join(dir, 'back.flac');
    await writeFile(flac, await store.getBuffer(key));
    const back = decodeWav(ffmpeg(await readFile(flac), ['-c:a', 'pcm_s24le'], 'wav'));
    const orig = decodeWav(wav);
    expect(back.channels[0].length).toBe(orig.channels[0].length);
    let maxDiff = 0;
    for (let i = 0; i < orig.channels[0].length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(back.channels[0][i] - orig.channels[0][i]));
    expect(maxDiff).toBe(0);
  });

  it('keeps float as float (WAV f32)', async () => {
    const result = await ingest(
      encodeWav({ sampleRate: 44100, channels: tone(1.5) }, { format: 'float32' }),
      'float.wav',
    );
    expect(result.outputs['canonical.0']).toMatch(/\.wav$/);
  });

  it('keeps a lossy upload as it is', async () => {
    const mp3 = ffmpeg(
      encodeWav({ sampleRate: 44100, channels: tone(2) }),
      ['-c:a', 'libmp3lame', '-b:a', '192k'],
      'mp3',
    );
    const result = await ingest(mp3, 'song.mp3');
    expect((await store.getBuffer(result.outputs['canonical.0'])).equals(mp3)).toBe(true);
  });

  it('accepts ISRC and UPC with valid forms', async () => {
    await expect(
      ingest(encodeWav({ sampleRate: 44100, channels: tone(1.2) }), 'ok.wav', {
        isrc: 'US-RC1-76-07839',
        upc: '036000291452',
      }),
    ).resolves.toBeDefined();
  });
});

describe('ingest refuses broken input with a stable code', () => {
  const good = (): Buffer => encodeWav({ sampleRate: 44100, channels: tone(2) });

  it.each<[string, () => Buffer, string, string, RegExp]>([
    ['a zero-length file', () => Buffer.alloc(0), 'empty.wav', 'empty-file', /empty/],
    [
      'a text file renamed .wav',
      () => Buffer.from('just some liner notes\n'.repeat(20)),
      'notes.wav',
      'not-audio',
      /not audio/,
    ],
    [
      'a PNG renamed .wav',
      () => Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
      'cover.wav',
      'not-audio',
      /not audio/,
    ],
    [
      'a WAV truncated mid-file',
      () => good().subarray(0, 44 + 44100 * 2 * 2 - 3),
      'cut.wav',
      'truncated-or-corrupt',
      /truncated/,
    ],
    [
      'a WAV truncated on a frame boundary',
      () => good().subarray(0, 44 + 44100 * 2 * 2),
      'cut2.wav',
      'truncated-or-corrupt',
      /truncated/,
    ],
    [
      'a WAV whose data chunk claims more than the file holds',
      () => {
        const b = Buffer.from(good());
        b.writeUInt32LE(b.readUInt32LE(40) * 3, 40);
        return b;
      },
      'big-claim.wav',
      'truncated-or-corrupt',
      /truncated|holds/,
    ],
    [
      'a WAV header declaring 8 hours of silence over a few samples',
      () => {
        const b = Buffer.from(encodeWav({ sampleRate: 44100, channels: [new Float32Array(10)] }));
        const declared = 8 * 3600 * 44100 * 2; // mono 16-bit: 2.5 GB, still within RIFF's 32-bit sizes
        b.writeUInt32LE(declared, 40);
        b.writeUInt32LE(declared + 36, 4);
        return b;
      },
      'eight-hours.wav',
      'truncated-or-corrupt',
      /declares 28800 s/,
    ],
    [
      'a truncated FLAC',
      () => ffmpeg(good(), [], 'flac').subarray(0, 9000),
      'cut.flac',
      'truncated-or-corrupt',
      /truncated|corrupt|cannot be read/,
    ],
    [
      'a WAV with 0 samples',
      () => encodeWav({ sampleRate: 44100, channels: [new Float32Array(0), new Float32Array(0)] }),
      'nothing.wav',
      'too-short',
      /no audio samples/,
    ],
    [
      'a WAV with 1 sample',
      () => encodeWav({ sampleRate: 44100, channels: [new Float32Array(1), new Float32Array(1)] }),
      'one.wav',
      'too-short',
      /lasts 0\.000 s/,
    ],
    [
      'a float WAV holding NaN and infinities',
      () => {
        const ch = tone(1.5);
        ch[0][100] = NaN;
        ch[1][200] = Infinity;
        ch[0][300] = -Infinity;
        return encodeWav({ sampleRate: 44100, channels: ch }, { format: 'float32' });
      },
      'nan.wav',
      'truncated-or-corrupt',
      /3 NaN or infinite samples/,
    ],
    [
      '12-channel audio',
      () => encodeWav({ sampleRate: 48000, channels: tone(1.5, 12, 48000) }, { extensible: true }),
      'twelve.wav',
      'unsupported-channel-layout',
      /12 channels/,
    ],
    [
      'a sample rate of 4 kHz',
      () => encodeWav({ sampleRate: 4000, channels: tone(2, 2, 4000) }),
      'low.wav',
      'unsupported-sample-rate',
      /4000 Hz/,
    ],
  ])('%s', async (_what, make, fileName, code, reason) => {
    const e = await refusal(make(), fileName);
    expect(`${e.code}: ${e.reason}`).toMatch(new RegExp(`^${code}: `));
    expect(e.reason).toMatch(reason);
    expect(e.reason).toContain(fileName);
    expect(e.retryable).toBe(false);
  });

  it('refuses a malformed ISRC', async () => {
    const e = await refusal(good(), 'a.wav', { isrc: 'US-RC1-76-0783' });
    expect(e.code).toBe('invalid-isrc');
  });

  it('refuses a UPC whose check digit is wrong', async () => {
    const e = await refusal(good(), 'a.wav', { upc: '036000291453' });
    expect(e.code).toBe('invalid-upc');
  });

  it('refuses a file over the configured size and duration limits', async () => {
    const strict = new IngestStage({
      maxFileBytes: 1000,
      minDurationSeconds: 1,
      maxDurationSeconds: 1,
      minSampleRate: 8000,
      maxSampleRate: 384000,
      maxChannels: 8,
    });
    expect((await refusal(good(), 'a.wav', {}, strict)).code).toBe('file-too-large');
    const long = new IngestStage({
      maxFileBytes: 1e9,
      minDurationSeconds: 0.1,
      maxDurationSeconds: 1,
      minSampleRate: 8000,
      maxSampleRate: 384000,
      maxChannels: 8,
    });
    expect((await refusal(good(), 'a.wav', {}, long)).code).toBe('too-long');
  });

  it('keeps a hostile file name out of the paths it writes', async () => {
    const result = await ingest(good(), '../../../etc/passwd.wav');
    expect(Object.values(result.outputs).every((k) => k.startsWith('tenants/acme/releases/'))).toBe(true);
  });
});

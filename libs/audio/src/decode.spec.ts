import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '@pressline/testing';
import { decodeAll } from './decode';
import { probe } from './probe';
import {
  TONE_AMPLITUDE,
  amplitudeErrorDb,
  ffmpegSync,
  makeTmpDir,
  toneAmplitude,
  toneChannels,
  toneInput,
} from './spec-helpers';

interface Fixture {
  readonly name: string;
  readonly file: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Seconds of the source tone. */
  readonly seconds: number;
  readonly bitDepth: number | null;
  readonly lossless: boolean;
  /** Allowed |decoded frames - source frames|. */
  readonly frameSlack: number;
  /** Allowed level error of the 997 Hz tone, dB. */
  readonly levelDb: number;
  readonly codec: string;
}

const tmp = makeTmpDir('audio-decode');
const fixtures: Fixture[] = [];

function make(
  name: string,
  outArgs: string[],
  opts: Partial<Fixture> & Pick<Fixture, 'codec'>,
  rate = 44100,
  channels = 2,
  seconds = 1,
): void {
  const file = join(tmp.dir, name);
  ffmpegSync([...toneInput(rate, seconds, channels), ...outArgs, file]);
  fixtures.push({
    name,
    file,
    sampleRate: rate,
    channels,
    seconds,
    bitDepth: null,
    lossless: true,
    frameSlack: 0,
    levelDb: 0.01,
    ...opts,
  });
}

beforeAll(() => {
  make('s16.wav', ['-c:a', 'pcm_s16le'], { codec: 'pcm_s16le', bitDepth: 16 });
  make('s24-extensible.wav', ['-c:a', 'pcm_s24le'], { codec: 'pcm_s24le', bitDepth: 24 });
  make('s32.wav', ['-c:a', 'pcm_s32le'], { codec: 'pcm_s32le', bitDepth: 32 });
  make('f32.wav', ['-c:a', 'pcm_f32le'], { codec: 'pcm_f32le', bitDepth: 32 });
  make(
    'bwf.wav',
    [
      '-c:a',
      'pcm_s24le',
      '-write_bext',
      '1',
      '-metadata',
      'description=Pressline test',
      '-metadata',
      'originator=pressline',
    ],
    {
      codec: 'pcm_s24le',
      bitDepth: 24,
    },
  );
  make('rf64.wav', ['-c:a', 'pcm_s24le', '-rf64', 'always'], { codec: 'pcm_s24le', bitDepth: 24 }, 96000);
  make('s16.aiff', ['-c:a', 'pcm_s16be'], { codec: 'pcm_s16be', bitDepth: 16 });
  make('f32.aifc', ['-c:a', 'pcm_f32be', '-f', 'aiff'], { codec: 'pcm_f32be', bitDepth: 32 });
  make('s24-96k.flac', ['-c:a', 'flac', '-sample_fmt', 's32'], { codec: 'flac', bitDepth: 24 }, 96000);
  make('alac.m4a', ['-c:a', 'alac', '-sample_fmt', 's32p'], { codec: 'alac', bitDepth: 24 });
  const lossy = { lossless: false, levelDb: 0.3, frameSlack: 2048 };
  make('cbr320.mp3', ['-c:a', 'libmp3lame', '-b:a', '320k'], { ...lossy, codec: 'mp3' });
  make('aac256.m4a', ['-c:a', 'aac', '-b:a', '256k'], { ...lossy, codec: 'aac' });
  make('q6.ogg', ['-c:a', 'libvorbis', '-q:a', '6'], { ...lossy, codec: 'vorbis' });
  make('160k.opus', ['-c:a', 'libopus', '-b:a', '160k'], { ...lossy, codec: 'opus' }, 48000);
  // WAVE_FORMAT_EXTENSIBLE written by the repo's own WAV writer (16-bit, which ffmpeg would not make extensible).
  const file = join(tmp.dir, 'ext16.wav');
  writeFileSync(
    file,
    encodeWav(
      { sampleRate: 48000, channels: toneChannels(48000, 48000, 2) },
      { format: 'int16', extensible: true },
    ),
  );
  fixtures.push({
    name: 'ext16.wav',
    file,
    sampleRate: 48000,
    channels: 2,
    seconds: 1,
    bitDepth: 16,
    lossless: true,
    frameSlack: 0,
    levelDb: 0.01,
    codec: 'pcm_s16le',
  });
}, 60_000);

afterAll(() => tmp.cleanup());

const NAMES = [
  's16.wav',
  's24-extensible.wav',
  's32.wav',
  'f32.wav',
  'bwf.wav',
  'rf64.wav',
  's16.aiff',
  'f32.aifc',
  's24-96k.flac',
  'alac.m4a',
  'cbr320.mp3',
  'aac256.m4a',
  'q6.ogg',
  '160k.opus',
  'ext16.wav',
];

function fixture(name: string): Fixture {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
}

describe('decode of every supported container and codec (997 Hz at -6 dBFS)', () => {
  it.each(NAMES)('%s: probe reports codec, rate, channels and bit depth', async (name) => {
    const f = fixture(name);
    const p = await probe(f.file);
    expect(p.audio.codecName).toBe(f.codec);
    expect(p.audio.sampleRate).toBe(f.sampleRate);
    expect(p.audio.channels).toBe(f.channels);
    expect(p.audio.bitDepth).toBe(f.bitDepth);
    expect(p.audio.lossless).toBe(f.lossless);
  });

  it.each(NAMES)('%s: decodes the frames, rate, channels and tone level', async (name) => {
    const f = fixture(name);
    const { format, report, channels } = await decodeAll(f.file, { blockFrames: 4096 });
    const expectedFrames = Math.round(f.seconds * f.sampleRate);
    expect(format.sampleRate).toBe(f.sampleRate);
    expect(channels).toHaveLength(f.channels);
    expect(Math.abs(report.frames - expectedFrames)).toBeLessThanOrEqual(f.frameSlack);
    expect(report.decodeErrors).toEqual([]);
    expect(report.truncated).toBe(false);
    // Skip 0.1 s at both ends (codec priming and padding).
    const from = Math.round(0.1 * f.sampleRate);
    const to = report.frames - from;
    for (let c = 0; c < f.channels; c++) {
      const level = toneAmplitude(channels[c], f.sampleRate, 997, from, to);
      expect(amplitudeErrorDb(level, TONE_AMPLITUDE * (1 - 0.1 * c))).toBeLessThan(f.levelDb);
    }
  });
});

describe('WAV header variants are recognised', () => {
  it('a 24-bit WAV from ffmpeg is WAVE_FORMAT_EXTENSIBLE with a PCM subformat', async () => {
    const p = await probe(fixture('s24-extensible.wav').file);
    expect(p.header?.formatTag).toBe(0xfffe);
    expect(p.header?.subFormat).toBe(1);
    expect(p.header?.validBitsPerSample).toBe(24);
  });

  it('a BWF file has its bext chunk found and its fields as tags', async () => {
    const p = await probe(fixture('bwf.wav').file);
    expect(p.header?.hasBext).toBe(true);
    // ffmpeg maps bext Description to 'comment' and Originator to 'encoded_by'.
    expect(p.container.tags.comment).toBe('Pressline test');
    expect(p.container.tags.encoded_by).toBe('pressline');
  });

  it('an RF64 file is read through its ds64 chunk', async () => {
    const p = await probe(fixture('rf64.wav').file);
    expect(p.header?.container).toBe('rf64');
    expect(p.header?.declaredFrames).toBe(96000);
    expect(p.header?.issues).toEqual([]);
  });

  it('an AIFC float file reports its fl32 compression type', async () => {
    const p = await probe(fixture('f32.aifc').file);
    expect(p.header?.container).toBe('aifc');
    expect(String(p.header?.subFormat).toLowerCase()).toBe('fl32');
    expect(p.declaredFrames).toBe(44100);
  });
});

describe('decode options', () => {
  it('resamples 44.1 kHz to 48 kHz keeping the tone level and duration', async () => {
    const { format, report, channels } = await decodeAll(fixture('s16.wav').file, { sampleRate: 48000 });
    expect(format.sampleRate).toBe(48000);
    expect(Math.abs(report.frames - 48000)).toBeLessThanOrEqual(64);
    expect(report.truncated).toBe(false);
    expect(
      amplitudeErrorDb(toneAmplitude(channels[0], 48000, 997, 4800, 43200), TONE_AMPLITUDE),
    ).toBeLessThan(0.01);
  });

  it('folds stereo down to mono as (L+R)/2', async () => {
    const { format, channels } = await decodeAll(fixture('s16.wav').file, { channels: 1 });
    expect(format.channels).toBe(1);
    expect(channels).toHaveLength(1);
    // (L+R)/2 of tones at amplitudes 1.0 and 0.9.
    expect(
      amplitudeErrorDb(toneAmplitude(channels[0], 44100, 997, 4410, 39690), TONE_AMPLITUDE * 0.95),
    ).toBeLessThan(0.05);
  });

  it('cuts blocks of exactly blockFrames with a shorter last block', async () => {
    const { decode } = await import('./decode');
    const sizes: number[] = [];
    for await (const block of decode(fixture('s16.wav').file, { blockFrames: 10000 }))
      sizes.push(block.frames);
    expect(sizes).toEqual([10000, 10000, 10000, 10000, 4100]);
  });

  it('hands out the same arrays for every block with reuseBlocks, holding the same samples', async () => {
    const { decode } = await import('./decode');
    const fresh: number[] = [];
    for await (const block of decode(fixture('s16.wav').file, { blockFrames: 10000 }))
      fresh.push(block.channels[1][block.frames - 1]);
    const reused: number[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const block of decode(fixture('s16.wav').file, { blockFrames: 10000, reuseBlocks: true })) {
      reused.push(block.channels[1][block.frames - 1]);
      buffers.add(block.channels[0].buffer);
    }
    expect(reused).toEqual(fresh);
    expect(buffers.size).toBe(1);
  });

  it('decodes 16-bit PCM bit-exactly (sample = int / 32768)', async () => {
    const { channels } = await decodeAll(fixture('ext16.wav').file);
    const ref = toneChannels(48000, 48000, 2);
    let worst = 0;
    for (let i = 0; i < ref[0].length; i++)
      worst = Math.max(worst, Math.abs(channels[0][i] - Math.round(ref[0][i] * 32768) / 32768));
    expect(worst).toBeLessThan(1e-9);
  });
});

import { readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '@pressline/testing';
import { compareDecoded } from './compare';
import { decode, decodeAll } from './decode';
import {
  chooseOutputRate,
  codecPlan,
  encode,
  planCanonicalCopy,
  transcode,
  type EncodeFormat,
} from './encode';
import { AudioError } from './errors';
import { probe } from './probe';
import type { AudioBlock } from './types';
import {
  audioErrorOf,
  TONE_AMPLITUDE,
  amplitudeErrorDb,
  ffmpegSync,
  makeTmpDir,
  toneAmplitude,
  toneChannels,
  toneInput,
} from './spec-helpers';

const tmp = makeTmpDir('audio-encode');
const path = (name: string): string => join(tmp.dir, name);
const cover = path('cover.jpg');

beforeAll(() => {
  ffmpegSync(['-f', 'lavfi', '-i', 'color=c=blue:s=64x64', '-frames:v', '1', cover]);
}, 20_000);
afterAll(() => tmp.cleanup());

/** The reference tone cut into blocks, as a generator (an async producer like a DSP chain). */
async function* toneBlocks(
  sampleRate: number,
  frames: number,
  channels: number,
  blockFrames = 8192,
): AsyncGenerator<AudioBlock> {
  const all = toneChannels(sampleRate, frames, channels);
  for (let at = 0; at < frames; at += blockFrames) {
    const n = Math.min(blockFrames, frames - at);
    yield { channels: all.map((c) => c.subarray(at, at + n)), frames: n };
  }
}

function maxError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function noPartialFilesLeft(): boolean {
  return readdirSync(tmp.dir).every((name) => !name.endsWith('.partial'));
}

describe('encode: lossless round trips of the reference tone', () => {
  it.each([
    ['s16.wav', { codec: 'wav', sampleFormat: 's16' }, 1 / 32768],
    ['s24.wav', { codec: 'wav', sampleFormat: 's24' }, 1 / 8388608],
    ['s32.wav', { codec: 'wav', sampleFormat: 's32' }, 1e-9],
    ['f32.wav', { codec: 'wav', sampleFormat: 'f32' }, 0],
    ['16.flac', { codec: 'flac', bitDepth: 16 }, 1 / 32768],
    ['24.flac', { codec: 'flac', bitDepth: 24, compressionLevel: 8 }, 1 / 8388608],
    ['s24.aiff', { codec: 'aiff', sampleFormat: 's24' }, 1 / 8388608],
    ['f32.aifc', { codec: 'aiff', sampleFormat: 'f32' }, 0],
    ['24.m4a', { codec: 'alac', bitDepth: 24 }, 1 / 8388608],
  ] as [string, EncodeFormat, number][])('%s is within one LSB of the source', async (name, format, lsb) => {
    const result = await encode(toneBlocks(48000, 24000, 2), path(name), { sampleRate: 48000, format });
    expect(result.frames).toBe(24000);
    const { channels, report } = await decodeAll(path(name));
    expect(report.frames).toBe(24000);
    const ref = toneChannels(48000, 24000, 2);
    for (let c = 0; c < 2; c++) expect(maxError(channels[c], ref[c])).toBeLessThanOrEqual(lsb);
  });
});

describe('encode: WAV headers', () => {
  it('rewrites ffmpeg EXTENSIBLE 24-bit stereo into plain WAVE_FORMAT_PCM, audio untouched', async () => {
    const result = await encode(toneBlocks(96000, 9600, 2), path('plain24.wav'), {
      sampleRate: 96000,
      format: { codec: 'wav', sampleFormat: 's24' },
    });
    expect(result.plainWaveHeader).toBe(true);
    const p = await probe(path('plain24.wav'));
    expect(p.header).toMatchObject({
      formatTag: 1,
      extensible: false,
      bitsPerSample: 24,
      sampleRate: 96000,
      issues: [],
    });
    expect(p.header?.chunks.map((c) => c.id)).toEqual(['JUNK', 'fmt ', 'JUNK', 'data']);
    expect(p.audio.codecName).toBe('pcm_s24le');
  });

  it('writes float WAV as WAVE_FORMAT_IEEE_FLOAT (tag 3) with an 18-byte fmt chunk', async () => {
    await encode(toneBlocks(44100, 4410, 2), path('plainf32.wav'), {
      sampleRate: 44100,
      format: { codec: 'wav', sampleFormat: 'f32' },
    });
    const p = await probe(path('plainf32.wav'));
    expect(p.header?.formatTag).toBe(3);
    expect(p.header?.chunks.find((c) => c.id === 'fmt ')?.size).toBe(18);
    expect(p.header?.chunks.map((c) => c.id)).toContain('fact');
  });

  it('keeps EXTENSIBLE for 6 channels (the speaker mask needs it)', async () => {
    const result = await encode(toneBlocks(48000, 4800, 6), path('six.wav'), {
      sampleRate: 48000,
      format: { codec: 'wav', sampleFormat: 's24' },
    });
    expect(result.plainWaveHeader).toBe(false);
    const p = await probe(path('six.wav'));
    expect(p.header?.formatTag).toBe(0xfffe);
    expect(p.audio.channelLayout).toBe('5.1');
  });

  it('writes 12 channels with no named layout as an EXTENSIBLE WAV that decodes in order', async () => {
    await encode(toneBlocks(48000, 4800, 12), path('twelve.wav'), {
      sampleRate: 48000,
      format: { codec: 'wav', sampleFormat: 'f32' },
    });
    const { channels } = await decodeAll(path('twelve.wav'));
    expect(channels).toHaveLength(12);
    const ref = toneChannels(48000, 4800, 12);
    expect(maxError(channels[11], ref[11])).toBe(0);
  });

  it('keeps EXTENSIBLE when plainHeader is false', async () => {
    await encode(toneBlocks(48000, 4800, 2), path('ext.wav'), {
      sampleRate: 48000,
      format: { codec: 'wav', sampleFormat: 's24', plainHeader: false },
    });
    expect((await probe(path('ext.wav'))).header?.formatTag).toBe(0xfffe);
  });
});

describe('encode: lossy codecs keep the tone level', () => {
  it.each([
    ['cbr.mp3', { codec: 'mp3', mode: 'cbr', bitrateKbps: 320 }, 44100, 44100],
    ['vbr.mp3', { codec: 'mp3', mode: 'vbr', quality: 2 }, 96000, 48000],
    ['256.m4a', { codec: 'aac', bitrateKbps: 256 }, 44100, 44100],
    ['q5.ogg', { codec: 'vorbis', quality: 5 }, 44100, 44100],
    ['128.opus', { codec: 'opus', bitrateKbps: 128 }, 44100, 48000],
  ] as [string, EncodeFormat, number, number][])(
    '%s (%#) at the expected output rate',
    async (name, format, inRate, outRate) => {
      const result = await encode(toneBlocks(inRate, inRate, 2), path(name), { sampleRate: inRate, format });
      expect(result.sampleRate).toBe(outRate);
      const { format: decoded, report, channels } = await decodeAll(path(name));
      expect(decoded.sampleRate).toBe(outRate);
      expect(Math.abs(report.frames - outRate)).toBeLessThanOrEqual(2048);
      const from = Math.round(0.1 * outRate);
      expect(
        amplitudeErrorDb(
          toneAmplitude(channels[0], outRate, 997, from, report.frames - from),
          TONE_AMPLITUDE,
        ),
      ).toBeLessThan(0.3);
    },
  );
});

describe('encode: tags and cover art', () => {
  it.each([
    ['tagged.flac', { codec: 'flac', bitDepth: 16 }],
    ['tagged.mp3', { codec: 'mp3', mode: 'cbr', bitrateKbps: 192 }],
    ['tagged.m4a', { codec: 'aac', bitrateKbps: 128 }],
    ['tagged-alac.m4a', { codec: 'alac', bitDepth: 16 }],
  ] as [string, EncodeFormat][])(
    '%s carries the tags and a front cover, and no encoder string',
    async (name, format) => {
      await encode(toneBlocks(44100, 4410, 2), path(name), {
        sampleRate: 44100,
        format,
        tags: { title: 'Ünïcode title = with equals', artist: 'Pressline' },
        coverArt: cover,
      });
      const p = await probe(path(name));
      const tags = Object.fromEntries(Object.entries(p.container.tags).map(([k, v]) => [k.toLowerCase(), v]));
      expect(tags.title).toBe('Ünïcode title = with equals');
      expect(tags.artist).toBe('Pressline');
      expect(Object.keys(tags).some((k) => k === 'encoder')).toBe(false);
      expect(p.hasCoverArt).toBe(true);
      expect(p.audioStreamCount).toBe(1);
    },
  );

  it('refuses cover art for Ogg Vorbis with "unsupported"', async () => {
    const error = await audioErrorOf(
      encode(toneBlocks(44100, 4410, 2), path('cover.ogg'), {
        sampleRate: 44100,
        format: { codec: 'vorbis', quality: 4 },
        coverArt: cover,
      }),
    );
    expect(error).toBeInstanceOf(AudioError);
    expect(error.code).toBe('unsupported');
  });

  it('refuses a cover that is neither JPEG nor PNG', async () => {
    writeFileSync(path('cover.txt'), 'not an image');
    const error = await audioErrorOf(
      encode(toneBlocks(44100, 4410, 2), path('badcover.flac'), {
        sampleRate: 44100,
        format: { codec: 'flac', bitDepth: 16 },
        coverArt: path('cover.txt'),
      }),
    );
    expect(error.code).toBe('unsupported');
  });

  it('rejects a tag key that is not a plain identifier with RangeError', async () => {
    await expect(
      encode(toneBlocks(44100, 441, 2), path('badtag.flac'), {
        sampleRate: 44100,
        format: { codec: 'flac', bitDepth: 16 },
        tags: { 'a=b': 'x' },
      }),
    ).rejects.toThrow(RangeError);
  });
});

describe('encode: failures leave nothing behind', () => {
  it('a producer that throws rejects with its error and leaves no output or partial file', async () => {
    async function* failing(): AsyncGenerator<AudioBlock> {
      yield* toneBlocks(44100, 8192, 2);
      throw new Error('DSP failed');
    }
    await expect(
      encode(failing(), path('failed.flac'), { sampleRate: 44100, format: { codec: 'flac', bitDepth: 16 } }),
    ).rejects.toThrow('DSP failed');
    expect(existsSync(path('failed.flac'))).toBe(false);
    expect(noPartialFilesLeft()).toBe(true);
  });

  it('an abort mid-way rejects with "aborted" and leaves no output', async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<AudioBlock> {
      let n = 0;
      for await (const block of toneBlocks(44100, 44100, 2, 4410)) {
        if (++n === 3) controller.abort();
        yield block;
      }
    }
    const error = await audioErrorOf(
      encode(slow(), path('aborted.flac'), {
        sampleRate: 44100,
        format: { codec: 'flac', bitDepth: 16 },
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(AudioError);
    expect(error.code).toBe('aborted');
    expect(existsSync(path('aborted.flac'))).toBe(false);
    expect(noPartialFilesLeft()).toBe(true);
  });

  it('a block with the wrong channel count is a RangeError', async () => {
    const blocks = [
      { channels: toneChannels(44100, 100, 2), frames: 100 },
      { channels: toneChannels(44100, 100, 1), frames: 100 },
    ];
    await expect(
      encode(blocks, path('mixed.wav'), { sampleRate: 44100, format: { codec: 'wav', sampleFormat: 's16' } }),
    ).rejects.toThrow(RangeError);
    expect(noPartialFilesLeft()).toBe(true);
  });

  it.each([
    [{ codec: 'flac', bitDepth: 24, compressionLevel: 13 }],
    [{ codec: 'mp3', mode: 'cbr', bitrateKbps: 300 }],
    [{ codec: 'opus', bitrateKbps: 1000 }],
  ] as [EncodeFormat][])('option out of range is a RangeError: %j', (format) => {
    expect(() => codecPlan(format)).toThrow(RangeError);
  });

  it('a decode stream piped into encode is released when encode fails', async () => {
    ffmpegSync([...toneInput(44100, 5, 2), '-c:a', 'pcm_s16le', path('src5.wav')]);
    const stream = decode(path('src5.wav'), { blockFrames: 4096 });
    await expect(
      encode(stream, path('x.mp3'), {
        sampleRate: 44100,
        format: { codec: 'mp3', mode: 'cbr', bitrateKbps: 128 },
        channels: 3,
      }),
    ).rejects.toThrow(AudioError);
    expect(stream.running).toBe(false);
  });
});

describe('encode: output rate choice', () => {
  it.each([
    [96000, 48000],
    [88200, 44100],
    [44100, 44100],
    [192000, 48000],
  ])('MP3 from %d Hz is written at %d Hz', (input, output) => {
    expect(chooseOutputRate(codecPlan({ codec: 'mp3', mode: 'cbr', bitrateKbps: 320 }), input)).toBe(output);
  });
});

describe('transcode and canonical copies', () => {
  function source(name: string, args: string[], rate = 48000, seconds = 1): string {
    ffmpegSync([...toneInput(rate, seconds, 2), ...args, '-metadata', 'title=Source title', path(name)]);
    return path(name);
  }

  it.each([
    ['24-bit WAV', 'c-s24.wav', ['-c:a', 'pcm_s24le'], { codec: 'flac', bitDepth: 24 }, '.flac'],
    ['16-bit AIFF', 'c-s16.aiff', ['-c:a', 'pcm_s16be'], { codec: 'flac', bitDepth: 16 }, '.flac'],
    ['32-bit int WAV', 'c-s32.wav', ['-c:a', 'pcm_s32le'], { codec: 'wav', sampleFormat: 's32' }, '.wav'],
    ['32-bit float WAV', 'c-f32.wav', ['-c:a', 'pcm_f32le'], { codec: 'wav', sampleFormat: 'f32' }, '.wav'],
    ['64-bit float WAV', 'c-f64.wav', ['-c:a', 'pcm_f64le'], { codec: 'wav', sampleFormat: 'f64' }, '.wav'],
  ] as [string, string, string[], EncodeFormat, string][])(
    '%s: canonical copy decodes bit-identically',
    async (_label, name, args, expected, ext) => {
      const input = source(name, args);
      const probed = await probe(input);
      const plan = planCanonicalCopy(probed);
      expect(plan).toMatchObject({ action: 'transcode', format: expected, extension: ext });
      if (plan.action !== 'transcode') return;
      const out = path(`canonical-${name}${plan.extension}`);
      await transcode(input, out, { format: plan.format, keepTags: true, probe: probed });
      const cmp = await compareDecoded(input, out);
      expect(cmp).toMatchObject({
        identical: true,
        framesA: 48000,
        framesB: 48000,
        firstDifferenceFrame: null,
      });
      const p = await probe(out);
      expect(p.audio.bitDepth).toBe(probed.audio.bitDepth);
      expect(p.container.tags.title ?? p.container.tags.TITLE).toBe('Source title');
    },
  );

  it('a lossy source is kept as it is', async () => {
    const input = source('c.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'], 44100);
    expect(planCanonicalCopy(await probe(input))).toMatchObject({ action: 'keep-original' });
  });

  it('drops the source tags by default (-map_metadata -1)', async () => {
    const input = source('tagged-src.wav', ['-c:a', 'pcm_s16le']);
    await transcode(input, path('untagged.flac'), { format: { codec: 'flac', bitDepth: 16 } });
    const tags = (await probe(path('untagged.flac'))).container.tags;
    expect(Object.keys(tags)).toEqual([]);
  });

  it('resamples 96 kHz FLAC to a 48 kHz MP3 with soxr', async () => {
    const input = source('hi.flac', ['-c:a', 'flac', '-sample_fmt', 's32'], 96000);
    const result = await transcode(input, path('hi.mp3'), {
      format: { codec: 'mp3', mode: 'cbr', bitrateKbps: 320 },
    });
    expect(result.sampleRate).toBe(48000);
    expect(result.command).toContain('resampler=soxr');
    expect((await probe(path('hi.mp3'))).audio.sampleRate).toBe(48000);
  });

  it('compareDecoded finds the first differing frame', async () => {
    const frames = 1000;
    const a = toneChannels(44100, frames, 1);
    const b = toneChannels(44100, frames, 1);
    b[0][700] += 0.25;
    writeFileSync(path('cmp-a.wav'), encodeWav({ sampleRate: 44100, channels: a }, { format: 'float32' }));
    writeFileSync(path('cmp-b.wav'), encodeWav({ sampleRate: 44100, channels: b }, { format: 'float32' }));
    const cmp = await compareDecoded(path('cmp-a.wav'), path('cmp-b.wav'), { blockFrames: 256 });
    expect(cmp.identical).toBe(false);
    expect(cmp.firstDifferenceFrame).toBe(700);
    expect(cmp.maxAbsDifference).toBeCloseTo(0.25, 5);
  });
});

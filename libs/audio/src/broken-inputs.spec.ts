/**
 * Broken inputs made here, each with its documented outcome (the table in libs/audio/README.md):
 * an AudioError code from probe(), or a probe + decode report that says what is wrong. Never a
 * crash or a hang: every case must finish well inside jest's timeout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '@pressline/testing';
import { decodeAll } from './decode';
import { encode, planCanonicalCopy } from './encode';
import { AudioError, type AudioErrorCode } from './errors';
import { probe } from './probe';
import { audioErrorOf, ffmpegSync, makeTmpDir, toneChannels, toneInput } from './spec-helpers';

const tmp = makeTmpDir('audio-broken');
const path = (name: string): string => join(tmp.dir, name);

/** A 16-bit stereo 44.1 kHz WAV of `frames` frames (44-byte header: data at offset 44). */
function wav16(frames: number): Buffer {
  return encodeWav({ sampleRate: 44100, channels: toneChannels(44100, frames, 2) }, { format: 'int16' });
}

const DATA_SIZE_AT = 40;
const RIFF_SIZE_AT = 4;

beforeAll(() => {
  const full = wav16(44100);
  writeFileSync(path('truncated-odd.wav'), full.subarray(0, 44 + 88200 + 1));
  writeFileSync(path('truncated-frame.wav'), full.subarray(0, 44 + 88200));
  const riffWrong = Buffer.from(full);
  riffWrong.writeUInt32LE(1234, RIFF_SIZE_AT);
  writeFileSync(path('riff-size-wrong.wav'), riffWrong);
  const dataLarge = Buffer.from(full);
  dataLarge.writeUInt32LE(full.length * 3, DATA_SIZE_AT);
  writeFileSync(path('data-size-too-large.wav'), dataLarge);
  // Mono, so that 8 hours of 16-bit 44.1 kHz (2.5 GB) fits the 32-bit size fields.
  const eightHours = encodeWav(
    { sampleRate: 44100, channels: toneChannels(44100, 10, 1) },
    { format: 'int16' },
  );
  eightHours.writeUInt32LE(8 * 3600 * 44100 * 2, DATA_SIZE_AT);
  eightHours.writeUInt32LE(8 * 3600 * 44100 * 2 + 36, RIFF_SIZE_AT);
  writeFileSync(path('eight-hours-declared.wav'), eightHours);
  writeFileSync(path('zero-samples.wav'), wav16(0));
  writeFileSync(path('one-sample.wav'), wav16(1));
  writeFileSync(path('empty.wav'), Buffer.alloc(0));
  writeFileSync(path('text.wav'), 'This is a text file, not audio.\n'.repeat(20));
  const garbled = Buffer.from(full.subarray(0, 2000));
  garbled.fill(0xee, 12, 60); // RIFF/WAVE magic intact, fmt and data chunk headers destroyed
  writeFileSync(path('garbled-header.wav'), garbled);
  ffmpegSync([
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=32x32',
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    'png',
    path('image.wav'),
  ]);
  ffmpegSync([...toneInput(44100, 3, 2), '-c:a', 'flac', path('full.flac')]);
  const flac = readFileSync(path('full.flac'));
  writeFileSync(path('truncated.flac'), flac.subarray(0, Math.floor(flac.length / 2)));
  writeFileSync(path('header-only.flac'), flac.subarray(0, 100));
  const floats = toneChannels(44100, 4410, 2);
  floats[0][100] = Number.NaN;
  floats[1][200] = Number.POSITIVE_INFINITY;
  floats[1][300] = Number.NEGATIVE_INFINITY;
  writeFileSync(
    path('nan-inf.wav'),
    encodeWav({ sampleRate: 44100, channels: floats }, { format: 'float32' }),
  );
  writeFileSync(
    path('twelve-channels.wav'),
    encodeWav(
      { sampleRate: 48000, channels: toneChannels(48000, 4800, 12) },
      { format: 'int24', extensible: true },
    ),
  );
  mkdirSync(path('a-folder.wav'));
  // An HLS playlist renamed .wav: without -protocol_whitelist ffmpeg would fetch the URL.
  writeFileSync(
    path('playlist.wav'),
    '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://192.0.2.1/a.ts\n#EXT-X-ENDLIST\n',
  );
}, 30_000);

afterAll(() => tmp.cleanup());

async function probeError(name: string): Promise<AudioErrorCode> {
  try {
    await probe(path(name));
  } catch (error) {
    if (error instanceof AudioError) return error.code;
    throw error;
  }
  throw new Error(`probe of ${name} succeeded`);
}

describe('inputs refused by probe with a stable code', () => {
  it.each([
    ['empty.wav', 'empty'],
    ['text.wav', 'not-audio'],
    ['image.wav', 'not-audio'],
    ['garbled-header.wav', 'corrupt'],
    ['header-only.flac', 'corrupt'],
    ['missing.wav', 'not-found'],
    ['a-folder.wav', 'unreadable'],
    ['playlist.wav', 'not-audio'],
  ] as const)('%s -> %s', async (name, code) => {
    expect(await probeError(name)).toBe(code);
  });

  it('the error carries the ffprobe command and its stderr for a file it cannot open', async () => {
    const error = await audioErrorOf(probe(path('text.wav')));
    expect(error).toBeInstanceOf(AudioError);
    expect(error.command).toMatch(/^ffprobe .*-show_error/);
    expect(error.message).toContain('Invalid data');
  });
});

describe('inputs that open but are damaged: the probe header and the decode report say so', () => {
  it('a WAV cut mid-frame is truncated and its last partial packet is a decode error', async () => {
    const p = await probe(path('truncated-odd.wav'));
    expect(p.header?.issues).toEqual(
      expect.arrayContaining(['riff-size-mismatch', 'data-size-exceeds-file']),
    );
    const { report } = await decodeAll(path('truncated-odd.wav'));
    expect(report.frames).toBe(22050);
    expect(report.declaredFrames).toBe(44100);
    expect(report.truncated).toBe(true);
    expect(report.missingFrames).toBe(22050);
    expect(report.decodeErrors.join('\n')).toMatch(/Invalid PCM packet/);
    expect(report.clean).toBe(false);
  });

  it('a WAV cut on a frame boundary decodes without error but is still reported truncated', async () => {
    const { report } = await decodeAll(path('truncated-frame.wav'));
    expect(report.decodeErrors).toEqual([]);
    expect(report.truncated).toBe(true);
    expect(report.frames).toBe(22050);
  });

  it('a wrong RIFF size is a header issue only: all audio decodes, not truncated', async () => {
    const p = await probe(path('riff-size-wrong.wav'));
    expect(p.header?.issues).toEqual(['riff-size-mismatch']);
    const { report } = await decodeAll(path('riff-size-wrong.wav'));
    expect(report.frames).toBe(44100);
    expect(report.truncated).toBe(false);
  });

  it('a data chunk larger than the file is truncated by the header count', async () => {
    const p = await probe(path('data-size-too-large.wav'));
    expect(p.header?.issues).toContain('data-size-exceeds-file');
    const { report } = await decodeAll(path('data-size-too-large.wav'));
    expect(report.frames).toBe(44100);
    expect(report.truncated).toBe(true);
  });

  it('8 hours declared over 10 frames: probe declares 8 h, decode returns 10 frames at once', async () => {
    const started = Date.now();
    const p = await probe(path('eight-hours-declared.wav'));
    expect(p.declaredFrames).toBe(8 * 3600 * 44100);
    // ffprobe itself trusts the file size, not the header.
    expect(p.audio.frames).toBe(10);
    const { report } = await decodeAll(path('eight-hours-declared.wav'));
    expect(report.frames).toBe(10);
    expect(report.truncated).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a truncated FLAC has decode errors and fewer frames than its STREAMINFO', async () => {
    const p = await probe(path('truncated.flac'));
    expect(p.declaredFrames).toBe(3 * 44100);
    const { report } = await decodeAll(path('truncated.flac'));
    expect(report.frames).toBeLessThan(3 * 44100 * 0.6);
    expect(report.truncated).toBe(true);
    expect(report.decodeErrorCount).toBeGreaterThan(0);
  });

  it('NaN and Inf in a float WAV are counted, kept by default', async () => {
    const { report, channels } = await decodeAll(path('nan-inf.wav'));
    expect(report.nonFiniteSamples).toBe(3);
    expect(report.clean).toBe(false);
    expect(Number.isNaN(channels[0][100])).toBe(true);
    expect(channels[1][200]).toBe(Number.POSITIVE_INFINITY);
  });

  it('NaN and Inf become 0 with replaceNonFinite', async () => {
    const { report, channels } = await decodeAll(path('nan-inf.wav'), { replaceNonFinite: true });
    expect(report.nonFiniteSamples).toBe(3);
    expect(channels[0][100]).toBe(0);
    expect(channels[1][300]).toBe(0);
    expect(channels[1].every((x) => Number.isFinite(x))).toBe(true);
  });

  it('a WAV with 0 samples probes and decodes to 0 frames, clean', async () => {
    const p = await probe(path('zero-samples.wav'));
    expect(p.declaredFrames).toBe(0);
    const { report, channels } = await decodeAll(path('zero-samples.wav'));
    expect(report.frames).toBe(0);
    expect(channels).toHaveLength(2);
    expect(report.clean).toBe(true);
  });

  it('a WAV with 1 sample decodes to exactly 1 frame', async () => {
    const { report, channels } = await decodeAll(path('one-sample.wav'));
    expect(report.frames).toBe(1);
    expect(channels[0]).toHaveLength(1);
  });
});

describe('12-channel audio', () => {
  it('probes as 12 channels with no named layout', async () => {
    const p = await probe(path('twelve-channels.wav'));
    expect(p.audio.channels).toBe(12);
    expect(p.audio.channelLayout).toBeNull();
  });

  it('decodes 12 planar channels in order', async () => {
    const { channels, report } = await decodeAll(path('twelve-channels.wav'));
    expect(channels).toHaveLength(12);
    expect(report.frames).toBe(4800);
    const peak = (x: Float32Array): number => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // Channel c carries the tone at (1 - 0.1 c) of -6 dBFS.
    expect(peak(channels[11]) / peak(channels[0])).toBeCloseTo(0.1 / 1, 2);
  });

  it('is refused by the FLAC encoder (max 8 channels) with "unsupported"', async () => {
    const blocks = [{ channels: toneChannels(48000, 480, 12), frames: 480 }];
    const error = await audioErrorOf(
      encode(blocks, path('twelve.flac'), { sampleRate: 48000, format: { codec: 'flac', bitDepth: 24 } }),
    );
    expect(error).toBeInstanceOf(AudioError);
    expect(error.code).toBe('unsupported');
  });

  it('gets a 24-bit WAV as its canonical copy', async () => {
    const plan = planCanonicalCopy(await probe(path('twelve-channels.wav')));
    expect(plan).toMatchObject({ action: 'transcode', format: { codec: 'wav', sampleFormat: 's24' } });
  });
});

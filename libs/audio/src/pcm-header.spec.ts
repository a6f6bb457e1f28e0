import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '@pressline/testing';
import { readPcmHeader, rewriteAsPlainWaveFormat } from './pcm-header';
import { ffmpegSync, makeTmpDir, toneChannels, toneInput } from './spec-helpers';

const tmp = makeTmpDir('audio-header');
const path = (name: string): string => join(tmp.dir, name);
afterAll(() => tmp.cleanup());

describe('readPcmHeader', () => {
  it('returns null for a file that is neither RIFF nor AIFF', async () => {
    writeFileSync(path('x.bin'), Buffer.from('fLaC and more bytes here'));
    expect(await readPcmHeader(path('x.bin'))).toBeNull();
  });

  it('reads a plain 16-bit WAV', async () => {
    writeFileSync(
      path('a.wav'),
      encodeWav({ sampleRate: 44100, channels: toneChannels(44100, 100, 2) }, { format: 'int16' }),
    );
    expect(await readPcmHeader(path('a.wav'))).toMatchObject({
      container: 'riff',
      formatTag: 1,
      channels: 2,
      sampleRate: 44100,
      bitsPerSample: 16,
      blockAlign: 4,
      declaredFrames: 100,
      availableFrames: 100,
      issues: [],
    });
  });

  it('reports a truncated AIFF by its COMM frame count', async () => {
    ffmpegSync([...toneInput(44100, 1, 2), '-c:a', 'pcm_s16be', path('t.aiff')]);
    const full = readFileSync(path('t.aiff'));
    writeFileSync(path('cut.aiff'), full.subarray(0, full.length - 4 * 1000));
    const header = await readPcmHeader(path('cut.aiff'));
    expect(header).toMatchObject({
      container: 'aiff',
      sampleRate: 44100,
      declaredFrames: 44100,
      availableFrames: 43100,
    });
    expect(header?.issues).toContain('data-size-exceeds-file');
  });

  it('reports a block align that does not match channels x bits', async () => {
    const wav = encodeWav({ sampleRate: 44100, channels: toneChannels(44100, 100, 2) }, { format: 'int16' });
    wav.writeUInt16LE(3, 32);
    writeFileSync(path('align.wav'), wav);
    expect((await readPcmHeader(path('align.wav')))?.issues).toContain('block-align-mismatch');
  });
});

describe('rewriteAsPlainWaveFormat', () => {
  it('leaves a 20-in-24-bit EXTENSIBLE header alone (plain PCM cannot say 20 valid bits)', async () => {
    const wav = encodeWav(
      { sampleRate: 48000, channels: toneChannels(48000, 100, 2) },
      { format: 'int24', extensible: true },
    );
    wav.writeUInt16LE(20, 12 + 8 + 18); // wValidBitsPerSample
    writeFileSync(path('valid20.wav'), wav);
    expect(await rewriteAsPlainWaveFormat(path('valid20.wav'))).toBe(false);
    expect((await readPcmHeader(path('valid20.wav')))?.formatTag).toBe(0xfffe);
  });

  it('rewrites a stereo 24-bit EXTENSIBLE header and keeps the data bytes', async () => {
    const wav = encodeWav(
      { sampleRate: 48000, channels: toneChannels(48000, 100, 2) },
      { format: 'int24', extensible: true },
    );
    writeFileSync(path('ext24.wav'), wav);
    expect(await rewriteAsPlainWaveFormat(path('ext24.wav'))).toBe(true);
    const after = readFileSync(path('ext24.wav'));
    expect(after.length).toBe(wav.length);
    expect(after.subarray(68).equals(wav.subarray(68))).toBe(true);
    expect(await readPcmHeader(path('ext24.wav'))).toMatchObject({
      formatTag: 1,
      extensible: false,
      declaredFrames: 100,
      issues: [],
    });
  });
});

import {
  describeFormat,
  formatDuration,
  sampleFormatInfo,
  streamDepth,
  type DescribableFormat,
} from './formats';

describe('sampleFormatInfo', () => {
  it.each([
    ['s16', 'int', 16, false],
    ['s32p', 'int', 32, true],
    ['fltp', 'float', 32, true],
    ['dbl', 'float', 64, false],
    ['u8', 'int', 8, false],
  ] as const)('%s is %s, %d bits, planar %s', (name, kind, bits, planar) => {
    expect(sampleFormatInfo(name)).toMatchObject({ kind, bits, planar });
  });

  it('returns null for an unknown name', () => {
    expect(sampleFormatInfo('s24')).toBeNull();
  });
});

describe('streamDepth', () => {
  const base = { sampleFormat: null, bitsPerSample: null, bitsPerRawSample: null };

  it('a 24-bit WAV (decoded to s32) is 24-bit integer, lossless', () => {
    expect(
      streamDepth({
        ...base,
        codecName: 'pcm_s24le',
        sampleFormat: 's32',
        bitsPerSample: 24,
        bitsPerRawSample: 24,
      }),
    ).toEqual({
      bitDepth: 24,
      sampleKind: 'int',
      lossless: true,
    });
  });

  it('a 24-bit container declaring 20 valid bits is 20-bit', () => {
    expect(
      streamDepth({ ...base, codecName: 'pcm_s24le', bitsPerSample: 24, bitsPerRawSample: 20 }).bitDepth,
    ).toBe(20);
  });

  it('a float WAV is 32-bit float', () => {
    expect(streamDepth({ ...base, codecName: 'pcm_f32le', sampleFormat: 'flt', bitsPerSample: 32 })).toEqual({
      bitDepth: 32,
      sampleKind: 'float',
      lossless: true,
    });
  });

  it('FLAC takes bits_per_raw_sample', () => {
    expect(
      streamDepth({ ...base, codecName: 'flac', sampleFormat: 's32', bitsPerSample: 0, bitsPerRawSample: 24 })
        .bitDepth,
    ).toBe(24);
  });

  it('MP3 has no bit depth and is lossy', () => {
    expect(streamDepth({ ...base, codecName: 'mp3', sampleFormat: 'fltp', bitsPerSample: 0 })).toEqual({
      bitDepth: null,
      sampleKind: null,
      lossless: false,
    });
  });

  it('A-law is not linear PCM: no bit depth, not lossless', () => {
    expect(
      streamDepth({ ...base, codecName: 'pcm_alaw', sampleFormat: 's16', bitsPerSample: 8 }),
    ).toMatchObject({
      bitDepth: null,
      lossless: false,
    });
  });
});

describe('describeFormat', () => {
  const format = (audio: Partial<DescribableFormat['audio']>, formatName = 'wav'): DescribableFormat => ({
    container: { formatName },
    audio: {
      codecName: 'pcm_s24le',
      sampleRate: 96000,
      channels: 2,
      channelLayout: 'stereo',
      bitDepth: 24,
      sampleKind: 'int',
      lossless: true,
      bitRate: null,
      durationSeconds: 3600,
      ...audio,
    },
  });

  it('describes a 24-bit 96 kHz WAV', () => {
    expect(describeFormat(format({}))).toBe('WAV PCM 24-bit, 96 kHz, stereo, 1:00:00.000');
  });

  it('describes a lossy MP3 by its bit rate', () => {
    expect(
      describeFormat(
        format(
          {
            codecName: 'mp3',
            sampleRate: 44100,
            bitDepth: null,
            sampleKind: null,
            lossless: false,
            bitRate: 320000,
            durationSeconds: 210.2,
          },
          'mp3',
        ),
      ),
    ).toBe('MP3 320 kb/s (lossy), 44.1 kHz, stereo, 3:30.200');
  });

  it('names unknown layouts by their channel count', () => {
    expect(
      describeFormat(
        format({
          channels: 12,
          channelLayout: null,
          sampleKind: 'float',
          bitDepth: 32,
          codecName: 'pcm_f32le',
        }),
      ),
    ).toBe('WAV PCM 32-bit float, 96 kHz, 12 channels, 1:00:00.000');
  });

  it('formats durations under an hour as m:ss.mmm', () => {
    expect(formatDuration(59.9996)).toBe('1:00.000');
  });
});

/**
 * The direct WAV reader must give exactly the samples (and the same report) as ffmpeg's PCM
 * decoders, for every sample format and header variant it takes, and leave everything else to ffmpeg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, decodeAll } from './decode';
import { readPcmHeader } from './pcm-header';
import { directPcmFormat, readsPcmDirectly } from './pcm-reader';
import { ffmpegSync, makeTmpDir } from './spec-helpers';

const tmp = makeTmpDir('pcm-reader');
afterAll(() => tmp.cleanup());

/** Noise plus a full-scale step: every bit pattern region, both signs, the extremes. */
function source(): string {
  const file = join(tmp.dir, 'source.wav');
  ffmpegSync([
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=c=white:a=0.9:d=1.3:r=48000:seed=7,volume=1.2',
    '-ac',
    '3',
    '-c:a',
    'pcm_f64le',
    file,
  ]);
  return file;
}

const cases: ReadonlyArray<{ name: string; args: string[]; format: string }> = [
  { name: 's16.wav', args: ['-c:a', 'pcm_s16le'], format: 's16' },
  { name: 's24.wav', args: ['-c:a', 'pcm_s24le'], format: 's24' },
  { name: 's32.wav', args: ['-c:a', 'pcm_s32le'], format: 's32' },
  { name: 'f32.wav', args: ['-c:a', 'pcm_f32le'], format: 'f32' },
  { name: 'f64.wav', args: ['-c:a', 'pcm_f64le'], format: 'f64' },
  { name: 'rf64.wav', args: ['-c:a', 'pcm_s24le', '-rf64', 'always'], format: 's24' },
  { name: 'mono16.wav', args: ['-c:a', 'pcm_s16le', '-ac', '1'], format: 's16' },
];

describe('direct WAV reading gives the samples of ffmpeg decoding', () => {
  let src: string;
  beforeAll(() => {
    src = source();
  }, 30_000);

  it.each(cases)('$name ($format)', async ({ name, args, format }) => {
    const file = join(tmp.dir, name);
    ffmpegSync(['-i', src, ...args, file]);
    expect(directPcmFormat(await readPcmHeader(file))).toBe(format);
    const direct = await decodeAll(file, { blockFrames: 1000 });
    const piped = await decodeAll(file, { blockFrames: 1000, direct: false });
    expect(direct.channels.length).toBe(piped.channels.length);
    for (let c = 0; c < piped.channels.length; c++) expect(direct.channels[c]).toEqual(piped.channels[c]);
    expect(direct.report).toMatchObject({
      frames: piped.report.frames,
      declaredFrames: piped.report.declaredFrames,
      truncated: false,
      clean: piped.report.clean,
    });
  });

  it('a WAV cut mid-frame: the whole frames, reported truncated like ffmpeg', async () => {
    const whole = join(tmp.dir, 'cut-source.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_s24le', whole]);
    const bytes = readFileSync(whole);
    const cut = join(tmp.dir, 'cut.wav');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    const direct = await decodeAll(cut);
    const piped = await decodeAll(cut, { direct: false });
    expect(direct.report.frames).toBe(piped.report.frames);
    expect(direct.report.truncated).toBe(true);
    expect(piped.report.truncated).toBe(true);
    expect(direct.report.missingFrames).toBe(piped.report.missingFrames);
    for (let c = 0; c < 3; c++) expect(direct.channels[c]).toEqual(piped.channels[c]);
  });

  it('counts (and zeroes on request) NaN and infinite float samples', async () => {
    const file = join(tmp.dir, 'nan.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_f32le', '-t', '0.1', file]);
    const bytes = readFileSync(file);
    const header = await readPcmHeader(file);
    const data = header!.dataOffset!;
    bytes.writeFloatLE(Number.NaN, data);
    bytes.writeFloatLE(Number.POSITIVE_INFINITY, data + 4 * 3 * 10);
    writeFileSync(file, bytes);
    const direct = await decodeAll(file, { replaceNonFinite: true });
    const piped = await decodeAll(file, { replaceNonFinite: true, direct: false });
    expect(direct.report.nonFiniteSamples).toBe(2);
    expect(piped.report.nonFiniteSamples).toBe(2);
    expect(direct.report.clean).toBe(false);
    for (let c = 0; c < 3; c++) expect(direct.channels[c]).toEqual(piped.channels[c]);
  });

  it('starts from a header given beforehand without ffprobe, with the same samples', async () => {
    const file = join(tmp.dir, 'from-header.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_s24le', '-t', '0.5', file]);
    const header = await readPcmHeader(file);
    expect(readsPcmDirectly(header)).toBe(true);
    const stream = decode(file, { pcmHeader: header });
    const format = await stream.open();
    expect(format.probe).toBeNull();
    expect(format).toMatchObject({ sampleRate: 48000, channels: 3, converted: false, header });
    const fromHeader = await decodeAll(file, { pcmHeader: header });
    const probed = await decodeAll(file);
    expect(probed.format.probe).not.toBeNull();
    for (let c = 0; c < 3; c++) expect(fromHeader.channels[c]).toEqual(probed.channels[c]);
    expect(fromHeader.report).toEqual(probed.report);
  });

  it('probes after all when the header cannot be used (conversion asked, or another file size)', async () => {
    const file = join(tmp.dir, 'header-unused.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_s16le', '-t', '0.5', file]);
    const header = await readPcmHeader(file);
    const resampled = await decode(file, { pcmHeader: header, sampleRate: 44100 }).open();
    expect(resampled.probe).not.toBeNull();
    expect(resampled.converted).toBe(true);
    const stale = { ...header!, fileBytes: header!.fileBytes + 2 };
    expect((await decode(file, { pcmHeader: stale }).open()).probe).not.toBeNull();
  });

  it('leaves compressed, 8-bit and converted reads to ffmpeg', async () => {
    const u8 = join(tmp.dir, 'u8.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_u8', u8]);
    expect(directPcmFormat(await readPcmHeader(u8))).toBeNull();
    const alaw = join(tmp.dir, 'alaw.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_alaw', alaw]);
    expect(directPcmFormat(await readPcmHeader(alaw))).toBeNull();
    const aiff = join(tmp.dir, 'x.aiff');
    ffmpegSync(['-i', src, '-c:a', 'pcm_s16be', aiff]);
    expect(directPcmFormat(await readPcmHeader(aiff))).toBeNull();
    const s16 = join(tmp.dir, 'resampled-src.wav');
    ffmpegSync(['-i', src, '-c:a', 'pcm_s16le', s16]);
    const resampled = await decodeAll(s16, { sampleRate: 44100 });
    expect(resampled.report.frames).toBeGreaterThan(0);
  });
});

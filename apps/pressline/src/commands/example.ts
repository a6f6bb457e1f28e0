import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encode, type EncodeFormat } from '@pressline/audio';
import { parse, UsageError } from '../args';
import { renderPiece, sum, withHeadroom } from '../example/synth';

export const EXAMPLE_HELP = `pressline example DIR [--seconds N]

Writes an example release that the project synthesises itself (no recorded audio): DIR/release.json
and its audio: a 24-bit WAV master, a 16-bit FLAC master at 48 kHz, and a track delivered as three
stems. Then: pressline run DIR/release.json --out OUT`;

async function write(
  file: string,
  channels: Float32Array[],
  sampleRate: number,
  format: EncodeFormat,
): Promise<void> {
  await encode([{ channels, frames: channels[0].length }], file, { format, sampleRate, channels: 2 });
}

export async function exampleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { seconds: { type: 'string', default: '16' } });
  if (positionals.length !== 1) throw new UsageError('example takes one folder');
  const seconds = Number(values.seconds);
  if (!(seconds >= 2 && seconds <= 600)) throw new UsageError('--seconds must be between 2 and 600');
  const dir = resolve(positionals[0]);
  await mkdir(join(dir, 'stems'), { recursive: true });

  const one = withHeadroom(
    renderPiece({ sampleRate: 44100, seconds, bpm: 120, tonic: 57, mode: 'minor', seed: 1 }),
  );
  await write(join(dir, '01-first-light.wav'), sum([one.drums, one.bass, one.keys]), 44100, {
    codec: 'wav',
    sampleFormat: 's24',
  });
  const two = withHeadroom(
    renderPiece({ sampleRate: 48000, seconds, bpm: 96, tonic: 60, mode: 'major', seed: 2 }),
  );
  await write(join(dir, '02-second-wind.flac'), sum([two.drums, two.bass, two.keys]), 48000, {
    codec: 'flac',
    bitDepth: 16,
  });
  const three = withHeadroom(
    renderPiece({ sampleRate: 44100, seconds, bpm: 128, tonic: 64, mode: 'minor', seed: 3 }),
  );
  await write(join(dir, 'stems', '03-drums.wav'), three.drums, 44100, { codec: 'wav', sampleFormat: 's24' });
  await write(join(dir, 'stems', '03-bass.wav'), three.bass, 44100, { codec: 'wav', sampleFormat: 's24' });
  await write(join(dir, 'stems', '03-keys.wav'), three.keys, 44100, { codec: 'wav', sampleFormat: 's24' });

  const release = {
    title: 'Pressline Example EP',
    artist: 'The Test Signals',
    upc: '036000291452',
    label: 'Pressline Records',
    genre: 'Electronic',
    releaseDate: '2026-12-04',
    profiles: ['spotify'],
    tracks: [
      { title: 'First Light', isrc: 'QZ-PRS-26-00001', fileName: '01-first-light.wav' },
      { title: 'Second Wind', isrc: 'QZ-PRS-26-00002', fileName: '02-second-wind.flac' },
      {
        title: 'Third Rail',
        isrc: 'QZ-PRS-26-00003',
        stems: [
          { name: 'drums', fileName: 'stems/03-drums.wav' },
          { name: 'bass', fileName: 'stems/03-bass.wav', gainDb: -1 },
          { name: 'keys', fileName: 'stems/03-keys.wav' },
        ],
      },
    ],
  };
  await writeFile(join(dir, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
  process.stdout.write(`example release written to ${dir}/release.json\n`);
  return 0;
}

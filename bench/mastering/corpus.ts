/**
 * The mastering bench's test tracks, made here with ffmpeg and the project's synthesiser, cached
 * in the bench folder (reused between runs). Varied on purpose: quiet and loud, dynamic, bass
 * heavy, clipped, DC, mono, 5.1, 16-bit, float with overs, 22.05 / 88.2 / 96 kHz, short, long.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPiece, syntheticSet } from '../../libs/testing/src/synth';
import { encodeWav } from '../../libs/testing/src/wav';
import { benchDir } from '../bench-utils';

export interface CorpusTrack {
  readonly id: string;
  readonly file: string;
  /** What makes it a case. */
  readonly kind: string;
  readonly seconds: number;
}

const ffmpeg = (args: string[]): void => {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
};

/** Two decorrelated pink noises with a tremolo (a dense, full-band stereo programme). */
function pinkArgs(seconds: number, rate: number, amp: number, seed: number): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${seconds}:c=pink:r=${rate}:a=${amp}:seed=${seed}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${seconds}:c=pink:r=${rate}:a=${amp}:seed=${seed + 1}`,
  ];
}

/** Builds (or reuses) the corpus; `seconds` is the length of the ordinary tracks. */
export function buildCorpus(options: { seconds?: number; longSeconds?: number } = {}): CorpusTrack[] {
  const seconds = options.seconds ?? 30;
  const longSeconds = options.longSeconds ?? 600;
  const dir = join(benchDir(), `mastering-corpus-v1-${seconds}s`);
  mkdirSync(dir, { recursive: true });
  const tracks: CorpusTrack[] = [];
  const add = (id: string, kind: string, secs: number, ext: string, make: (file: string) => void): void => {
    const file = join(dir, `${id}.${ext}`);
    if (!existsSync(file)) make(file);
    tracks.push({ id, file, kind, seconds: secs });
  };
  const specs = syntheticSet({ count: 24, durationSeconds: seconds, degraded: false }).slice(0, 8);
  const synthWav = (
    i: number,
    file: string,
    gainDb = 0,
    format: 'int16' | 'int24' | 'float32' = 'int24',
    mono = false,
    dc = 0,
  ) => {
    const p = renderPiece(specs[i]);
    const g = Math.pow(10, gainDb / 20);
    const ch = (mono ? [p.channels[0]] : p.channels).map((c) => Float32Array.from(c, (v) => g * v + dc));
    writeFileSync(file, encodeWav({ sampleRate: p.sampleRate, channels: ch }, { format }));
  };

  for (let i = 0; i < 6; i++)
    add(
      `synth-${i + 1}`,
      `synthetic piece (${specs[i].drums ?? 'no drums'}, ${specs[i].bpm} BPM)`,
      seconds,
      'wav',
      (f) => synthWav(i, f),
    );
  add('premaster-pink', 'pink-noise pre-master, -20 LUFS', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 44100, 0.25, 1),
      '-filter_complex',
      '[0][1]amerge=inputs=2,tremolo=f=1.3:d=0.5',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('loud-master', 'hard-limited modern master, about -8 LUFS', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 44100, 0.9, 3),
      '-filter_complex',
      '[0][1]amerge=inputs=2,tremolo=f=1.3:d=0.5,volume=12dB,alimiter=limit=0.94:level=false',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('quiet', 'synthetic piece 25 dB down (about -40 LUFS)', seconds, 'wav', (f) => synthWav(6, f, -25));
  add('dynamic', 'quiet half at -40 dB, then loud: LRA > 20 LU', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 48000, 0.5, 5),
      '-filter_complex',
      `[0][1]amerge=inputs=2,volume='if(lt(t,${seconds / 2}),0.01,1)':eval=frame`,
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('bass-heavy', '40 + 55 Hz sines under pink noise', seconds, 'wav', (f) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `sine=f=40:d=${seconds}:r=44100`,
      '-f',
      'lavfi',
      '-i',
      `sine=f=55:d=${seconds}:r=44100`,
      ...pinkArgs(seconds, 44100, 0.05, 7),
      '-filter_complex',
      '[0][1]amix=inputs=2:weights=1 1[b];[2][3]amerge=inputs=2[n];[b]pan=stereo|c0=c0|c1=c0[bs];[bs][n]amix=inputs=2:weights=1 1,volume=6dB',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add(
    'clipped',
    'synthetic piece +18 dB, hard-clipped in 16 bits (inter-sample overs)',
    seconds,
    'wav',
    (f) => synthWav(7, f, 18, 'int16'),
  );
  add('float-overs', 'float WAV with samples above 0 dBFS', seconds, 'wav', (f) =>
    synthWav(0, f, 12, 'float32'),
  );
  add('dc-offset', 'synthetic piece with +0.1 DC', seconds, 'wav', (f) =>
    synthWav(1, f, -6, 'int24', false, 0.1),
  );
  add('mono', 'mono synthetic piece', seconds, 'wav', (f) => synthWav(2, f, 0, 'int24', true));
  add('hires-96k', '96 kHz 24-bit pink programme', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 96000, 0.3, 9),
      '-filter_complex',
      '[0][1]amerge=inputs=2,tremolo=f=0.7:d=0.4',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('hires-88k', '88.2 kHz FLAC synthetic piece', seconds, 'flac', (f) => {
    const tmp = `${f}.tmp.wav`;
    synthWav(3, tmp);
    ffmpeg(['-i', tmp, '-af', 'aresample=88200:resampler=soxr', '-c:a', 'flac', '-sample_fmt', 's32', f]);
  });
  add('lowrate-22k', '22.05 kHz 16-bit source', seconds, 'wav', (f) => {
    const tmp = `${f}.tmp.wav`;
    synthWav(4, tmp);
    ffmpeg(['-i', tmp, '-af', 'aresample=22050:resampler=soxr', '-c:a', 'pcm_s16le', f]);
  });
  add('surround-5.1', '5.1 48 kHz (down-mixed or refused by rule)', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 48000, 0.2, 11),
      '-filter_complex',
      '[0][1]amerge=inputs=2,pan=5.1|FL=c0|FR=c1|FC=0.5*c0+0.5*c1|LFE=0.2*c0|BL=0.6*c0|BR=0.6*c1',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('drums', 'kick-like transients 20 dB over a quiet bed', seconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(seconds, 44100, 0.02, 13),
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=0.9*exp(-mod(t\\,0.5)*12)*sin(2*PI*55*mod(t\\,0.5)):d=${seconds}:s=44100`,
      '-filter_complex',
      '[0][1]amerge=inputs=2[n];[2]pan=stereo|c0=c0|c1=c0[k];[n][k]amix=inputs=2:normalize=0',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  add('sine-1k', '1 kHz sine at -20 dBFS, 16-bit 48 kHz', seconds, 'wav', (f) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `sine=f=1000:d=${seconds}:r=48000`,
      '-af',
      'volume=-11dB,pan=stereo|c0=c0|c1=c0',
      '-c:a',
      'pcm_s16le',
      f,
    ]),
  );
  add('short', '2 s excerpt', 2, 'wav', (f) =>
    ffmpeg(['-i', tracks[0].file, '-t', '2', '-c:a', 'pcm_s24le', f]),
  );
  add('long', `${longSeconds / 60} min pink programme`, longSeconds, 'wav', (f) =>
    ffmpeg([
      ...pinkArgs(longSeconds, 44100, 0.25, 15),
      '-filter_complex',
      '[0][1]amerge=inputs=2,tremolo=f=0.2:d=0.6',
      '-c:a',
      'pcm_s24le',
      f,
    ]),
  );
  return tracks;
}

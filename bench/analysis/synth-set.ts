/**
 * Renders the synthetic set (libs/testing/src/synth) to WAV files in a folder and writes its truth
 * TSV, so the evaluation reads it exactly like any other annotated set. Pieces marked `mp3-128k`
 * are encoded with ffmpeg (libmp3lame 128 kbit/s CBR) and decoded again by the bench.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../libs/testing/src/wav';
import {
  SYNTH_SET_VERSION,
  hashSeed,
  renderPiece,
  syntheticSet,
  type SyntheticSetOptions,
} from '../../libs/testing/src/synth';

export interface RenderedSet {
  readonly truthFile: string;
  readonly count: number;
  readonly rendered: number;
}

export function renderSyntheticSet(
  dir: string,
  options: SyntheticSetOptions = {},
  log: (s: string) => void = () => {},
): RenderedSet {
  mkdirSync(dir, { recursive: true });
  const specs = syntheticSet(options);
  const rows = [
    'id\tfile\ttempo_bpm\tkey\tbeats_per_bar\ttime_signature\ttuning_hz\tbeats\tsplit\tstyle\tprogression\tvariation',
  ];
  let rendered = 0;
  for (const spec of specs) {
    const ext = spec.codec === 'mp3-128k' ? 'mp3' : 'wav';
    // The file name carries a hash of the whole spec and of the set's version, so a folder rendered
    // by an older version of the set is never reused for a piece that sounds different.
    const file = `${spec.id}.${hashSeed(`${SYNTH_SET_VERSION}/${JSON.stringify(spec)}`).toString(36)}.${ext}`;
    const beatsFile = `${spec.id}.beats`;
    const path = join(dir, file);
    const piece = renderPiece(spec);
    if (!existsSync(path)) {
      const wav = encodeWav({ sampleRate: piece.sampleRate, channels: piece.channels }, { format: 'int16' });
      if (ext === 'wav') writeFileSync(path, wav);
      else {
        const tmp = join(dir, `${spec.id}.tmp.wav`);
        writeFileSync(tmp, wav);
        const r = spawnSync('ffmpeg', [
          '-v',
          'error',
          '-y',
          '-i',
          tmp,
          '-c:a',
          'libmp3lame',
          '-b:a',
          '128k',
          path,
        ]);
        unlinkSync(tmp);
        if (r.status !== 0)
          throw new Error(`ffmpeg mp3 encode failed for ${spec.id}: ${r.stderr.toString()}`);
      }
      rendered++;
      if (rendered % 20 === 0) log(`rendered ${rendered} pieces`);
    }
    const t = piece.truth;
    const downs = new Set(t.downbeats);
    let pos = 0;
    const lines = t.beats.map((b) => {
      if (downs.has(b)) pos = 1;
      else pos++;
      return `${b.toFixed(4)}\t${pos}`;
    });
    writeFileSync(join(dir, beatsFile), lines.join('\n') + '\n');
    rows.push(
      [
        spec.id,
        file,
        t.tempoBpm,
        t.key,
        t.beatsPerBar,
        t.timeSignature,
        t.tuningHz,
        beatsFile,
        spec.split,
        spec.drums ?? 'none',
        spec.progression,
        spec.tempoVariation,
      ].join('\t'),
    );
  }
  const truthFile = join(dir, 'truth.tsv');
  writeFileSync(truthFile, rows.join('\n') + '\n');
  return { truthFile, count: specs.length, rendered };
}

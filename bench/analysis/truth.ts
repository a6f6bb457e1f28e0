/** Ground-truth TSV: columns id, file (or path), tempo_bpm, key; optional beats_per_bar, tuning_hz, beats. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

export interface TruthRow {
  readonly id: string;
  /** Absolute path of the audio file. */
  readonly file: string;
  readonly tempoBpm?: number;
  readonly key?: string;
  readonly beatsPerBar?: number;
  readonly tuningHz?: number;
  /** Absolute path of a beat annotation file (one time per line, optional second column). */
  readonly beatsFile?: string;
  readonly split?: string;
}

/** Splits one TSV line; cells may be double-quoted with "" escapes. */
function splitTsv(line: string): string[] {
  return line.split('\t').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
  });
}

export function readTruth(tsvPath: string): TruthRow[] {
  const text = readFileSync(tsvPath, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) return [];
  const header = splitTsv(lines[0]).map((h) => h.toLowerCase());
  const col = (...names: string[]): number => {
    for (const n of names) {
      const i = header.indexOf(n);
      if (i >= 0) return i;
    }
    return -1;
  };
  const iId = col('id');
  const iFile = col('file', 'path');
  if (iFile < 0) throw new Error(`${tsvPath}: needs a 'file' or 'path' column`);
  const iTempo = col('tempo_bpm', 'tempo', 'bpm');
  const iKey = col('key');
  const iBpb = col('beats_per_bar');
  const iTuning = col('tuning_hz');
  const iBeats = col('beats', 'beats_file');
  const iSplit = col('split');
  const base = dirname(resolve(tsvPath));
  const num = (s: string | undefined): number | undefined => {
    if (s === undefined || s === '') return undefined;
    const v = Number(s);
    return Number.isFinite(v) ? v : undefined;
  };
  const str = (cells: string[], i: number): string | undefined =>
    i >= 0 && cells[i] !== '' ? cells[i] : undefined;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  return lines.slice(1).map((line, n) => {
    const cells = splitTsv(line);
    const file = cells[iFile];
    const beats = str(cells, iBeats);
    return {
      id: str(cells, iId) ?? `row${n + 1}`,
      file: abs(file),
      tempoBpm: num(cells[iTempo]),
      key: str(cells, iKey),
      beatsPerBar: num(cells[iBpb]),
      tuningHz: num(cells[iTuning]),
      beatsFile: beats ? abs(beats) : undefined,
      split: str(cells, iSplit),
    };
  });
}

/** Beat annotation: one beat per line, time first (MIREX/madmom .beats format). */
export function readBeats(file: string): { beats: number[]; downbeats: number[] } {
  const beats: number[] = [];
  const downbeats: number[] = [];
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const cells = line.trim().split(/\s+/);
    const t = Number(cells[0]);
    if (cells[0] === '' || !Number.isFinite(t)) continue;
    beats.push(t);
    if (cells.length > 1 && Number(cells[1]) === 1) downbeats.push(t);
  }
  return { beats, downbeats };
}

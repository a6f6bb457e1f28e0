import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from './args';

const AUDIO_EXTENSIONS = new Set([
  '.wav',
  '.wave',
  '.bwf',
  '.rf64',
  '.aif',
  '.aiff',
  '.aifc',
  '.flac',
  '.mp3',
  '.m4a',
  '.aac',
  '.ogg',
  '.oga',
  '.opus',
]);

export interface ReleaseInput {
  /** The submission as the API takes it: file names only. */
  readonly submission: Record<string, unknown>;
  /** Local paths per track: one for a master, one per stem. */
  readonly files: string[][];
}

interface TrackJson {
  title?: string;
  fileName?: string;
  stems?: Array<{ fileName?: string }>;
}

/**
 * What `pressline run` takes: a release.json (the API's submission; file names are paths relative
 * to it), or a folder holding a release.json, or a plain folder of audio files (one track each, in
 * name order).
 */
export async function loadReleaseInput(path: string): Promise<ReleaseInput> {
  const full = resolve(path);
  let st;
  try {
    st = await stat(full);
  } catch {
    throw new UsageError(`no such file or folder: ${path}`);
  }
  if (st.isDirectory()) {
    const json = join(full, 'release.json');
    if (existsSync(json)) return fromJson(json);
    const names = (await readdir(full)).filter((n) => AUDIO_EXTENSIONS.has(extname(n).toLowerCase())).sort();
    if (names.length === 0) throw new UsageError(`${path} holds no release.json and no audio files`);
    return {
      submission: {
        title: basename(full),
        artist: 'Unknown Artist',
        tracks: names.map((n) => ({ title: basename(n, extname(n)), fileName: n })),
      },
      files: names.map((n) => [join(full, n)]),
    };
  }
  return fromJson(full);
}

async function fromJson(file: string): Promise<ReleaseInput> {
  let submission: Record<string, unknown>;
  try {
    submission = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const base = dirname(file);
  const tracks = Array.isArray(submission.tracks) ? (submission.tracks as TrackJson[]) : [];
  const files = tracks.map((t) => {
    if (t && Array.isArray(t.stems)) return t.stems.map((s) => resolve(base, String(s?.fileName ?? '')));
    return [resolve(base, String(t?.fileName ?? ''))];
  });
  // The API keeps the client's file name for display: the base name, never a path.
  const cleaned = {
    ...submission,
    tracks: tracks.map((t) =>
      t && typeof t === 'object'
        ? {
            ...t,
            ...(typeof t.fileName === 'string' ? { fileName: basename(t.fileName) } : {}),
            ...(Array.isArray(t.stems)
              ? { stems: t.stems.map((s) => ({ ...s, fileName: basename(String(s?.fileName ?? '')) })) }
              : {}),
          }
        : t,
    ),
  };
  return { submission: cleaned, files };
}

import { join } from 'node:path';
import { isAudioError, transcode } from '@pressline/audio';
import {
  StageError,
  type ReleaseContext,
  type ReleaseHandlerDefinition,
  type ReleaseResult,
  type StageContext,
  type StageDefinition,
  type StageResult,
} from '@pressline/pipeline';
import { getJson, Keys, putJson } from '@pressline/storage';
import { PackageLayout } from './package-layout';

/** The part of the analysis artifact that becomes tags. */
interface AnalysisTags {
  tempo?: { bpm: number; confidence: number };
  key?: { tonic: string; mode: 'major' | 'minor'; camelot: string; confidence?: number };
}

/**
 * BPM and key as DJ software reads them from Vorbis comments: BPM (rounded, as most players show
 * it) and INITIALKEY in musical notation ("Am", "F#", "Eb"). Only what was heard: no BPM when the
 * analysis found no tempo (bpm 0: silence, a drone, under 2 s of sound), no key at key confidence
 * 0 (nothing pitched: silence or DC, where the estimate is a placeholder C major).
 */
export function analysisTags(analysis: AnalysisTags | null): Record<string, string> {
  const tags: Record<string, string> = {};
  const bpm = analysis?.tempo?.bpm;
  if (bpm !== undefined && Number.isFinite(bpm) && bpm > 0) tags.BPM = String(Math.round(bpm));
  const key = analysis?.key;
  if (key && (key.confidence === undefined || key.confidence > 0))
    tags.INITIALKEY = `${key.tonic}${key.mode === 'minor' ? 'm' : ''}`;
  return tags;
}

/**
 * Packaging, per track: a tagged FLAC of the master. Per release (once every track has ended):
 * the deliverable folder with a manifest and checksums.
 */
export class PackagingStage implements StageDefinition {
  readonly step = 'packaging' as const;
  readonly version = 'packaging@1';

  paramsFor(): Record<string, unknown> {
    return {};
  }

  async run(ctx: StageContext): Promise<StageResult> {
    const master = ctx.request.inputs.master ?? ctx.request.inputs.mix ?? ctx.request.inputs['canonical.0'];
    if (!master) throw new StageError('processing-failed', 'nothing to package (no master)');
    const release = await ctx.release();
    const track = release.tracks.find((t) => t.trackId === ctx.request.trackId)!;
    const meta = release.submission.tracks[track.position - 1];
    const analysis = ctx.request.inputs.analysis
      ? await getJson<AnalysisTags>(ctx.store, ctx.request.inputs.analysis)
      : null;
    const local = join(ctx.workDir, `master${master.slice(master.lastIndexOf('.'))}`);
    await ctx.store.getToFile(master, local);
    const flac = join(ctx.workDir, 'track.flac');
    try {
      await transcode(local, flac, {
        format: { codec: 'flac', bitDepth: 24, compressionLevel: 8 },
        tags: {
          title: meta.title,
          artist: meta.artist ?? release.submission.artist,
          album: release.submission.title,
          album_artist: release.submission.artist,
          track: `${track.position}/${release.tracks.length}`,
          ...(meta.isrc ? { isrc: meta.isrc.replace(/-/g, '').toUpperCase() } : {}),
          ...(release.submission.upc ? { barcode: release.submission.upc } : {}),
          ...(release.submission.label ? { organization: release.submission.label } : {}),
          ...(release.submission.genre ? { genre: release.submission.genre } : {}),
          ...(release.submission.releaseDate ? { date: release.submission.releaseDate } : {}),
          ...analysisTags(analysis),
        },
      });
    } catch (e) {
      if (isAudioError(e))
        throw new StageError(
          e.retryable ? 'transient' : 'processing-failed',
          `encoding the FLAC failed: ${e.message}`,
          { cause: e },
        );
      throw e;
    }
    const key = `${ctx.outputPrefix}track.flac`;
    const put = await ctx.store.putFile(key, flac, { contentType: 'audio/flac' });
    return {
      outputs: { 'package.flac': key },
      summary: { files: [{ format: 'flac', bitDepth: 24, bytes: put.size, sha256: put.sha256 }] },
    };
  }
}

interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export class ReleasePackager implements ReleaseHandlerDefinition {
  readonly version = 'release-package@1';

  async run(ctx: ReleaseContext): Promise<ReleaseResult> {
    const { release, store } = ctx;
    const root = Keys.package(release.tenantId, release.releaseId);
    const files: ManifestFile[] = [];
    const tracks = [];
    const wanted = new Set<string>();
    for (const [i, outcome] of ctx.outcomes.entries()) {
      const meta = release.submission.tracks[i];
      const entry: Record<string, unknown> = {
        position: i + 1,
        trackId: outcome.trackId,
        title: meta.title,
        artist: meta.artist ?? release.submission.artist,
        isrc: meta.isrc ?? null,
        state: outcome.state,
      };
      if (outcome.state === 'succeeded' && outcome.artifacts?.['package.flac']) {
        const path = PackageLayout.trackFile(i + 1, meta.title, '.flac');
        // Copy through a hashing stream: the manifest's SHA-256 is of the bytes in the package.
        const put = await store.put(`${root}${path}`, await store.get(outcome.artifacts['package.flac']), {
          contentType: 'audio/flac',
        });
        files.push({ path, bytes: put.size, sha256: put.sha256 });
        wanted.add(path);
        entry.files = [path];
      } else if (outcome.error) {
        entry.error = outcome.error;
      }
      tracks.push(entry);
    }
    // A repackaging (after a retry) leaves no stale track file behind.
    for (const o of await store.list(`${root}tracks/`)) {
      if (!wanted.has(o.key.slice(root.length))) await store.delete(o.key);
    }
    const manifest = {
      schema: 'pressline.package-manifest.v1',
      release: {
        releaseId: release.releaseId,
        title: release.submission.title,
        artist: release.submission.artist,
        upc: release.submission.upc ?? null,
        label: release.submission.label ?? null,
        genre: release.submission.genre ?? null,
        releaseDate: release.submission.releaseDate ?? null,
      },
      tracks,
      files,
    };
    const manifestPut = await putJson(store, `${root}${PackageLayout.manifest}`, manifest);
    const lines = [...files, { path: PackageLayout.manifest, sha256: manifestPut.sha256 }].map(
      (f) => `${f.sha256}  ${f.path}`,
    );
    const checksumsKey = `${root}${PackageLayout.checksums}`;
    await store.put(checksumsKey, lines.join('\n') + '\n', { contentType: 'text/plain' });
    return {
      outputs: { manifest: `${root}${PackageLayout.manifest}`, checksums: checksumsKey },
      summary: { files: files.length, manifestSha256: manifestPut.sha256 },
    };
  }
}

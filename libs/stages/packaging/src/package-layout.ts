import { safeFileName } from '@pressline/storage';

/**
 * The deliverable's layout, relative to the release's `package/` folder. The same whichever way
 * the line ran (embedded or distributed): other tools rely on it.
 *
 *   manifest.json            release metadata, every track and file with its SHA-256
 *   checksums.sha256         `sha256sum -c` compatible, manifest included
 *   tracks/01-<title>.flac   one file per track that succeeded
 */
export const PackageLayout = {
  manifest: 'manifest.json',
  checksums: 'checksums.sha256',
  trackFile: (position: number, title: string, extension: string): string =>
    `tracks/${String(position).padStart(2, '0')}-${safeFileName(title.replace(/[\\/]/g, ' '), 'track').slice(0, 80)}${extension}`,
} as const;

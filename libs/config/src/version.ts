import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above this file with Pressline's package.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pressline')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no Pressline package.json above ${from}`);
    dir = up;
  }
}

let cached: string | undefined;
/** Pressline's version, from its package.json. */
export function presslineVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
  return cached;
}

import { readFile } from 'node:fs/promises';
import { amazon } from './amazon';
import { appleDigitalMasters } from './apple-digital-masters';
import { broadcastA85 } from './broadcast-a85';
import { broadcastR128 } from './broadcast-r128';
import { cd } from './cd';
import { deezer } from './deezer';
import { defineProfile, type MasteringProfile } from './profile';
import { soundcloud } from './soundcloud';
import { spotify } from './spotify';
import { tidal } from './tidal';
import { youtube } from './youtube';

export * from './profile';
export * from './eq-curves';

/** The built-in delivery profiles, by name (one file each in this folder; README table). */
export const PROFILES: Readonly<Record<string, MasteringProfile>> = Object.freeze(
  Object.fromEntries(
    [
      spotify,
      appleDigitalMasters,
      youtube,
      amazon,
      tidal,
      deezer,
      soundcloud,
      cd,
      broadcastR128,
      broadcastA85,
    ].map((p) => [p.name, p]),
  ),
);

export const PROFILE_NAMES: readonly string[] = Object.freeze(Object.keys(PROFILES));

/** A built-in profile by name; RangeError naming the known ones otherwise. */
export function getProfile(name: string): MasteringProfile {
  const p = Object.prototype.hasOwnProperty.call(PROFILES, name) ? PROFILES[name] : undefined;
  if (!p) throw new RangeError(`unknown mastering profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  return p;
}

/** A profile written as JSON (same fields as the built-in ones), validated. */
export async function loadProfileFile(path: string): Promise<MasteringProfile> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new RangeError(`cannot read profile ${path}: ${(e as Error).message}`);
  }
  return defineProfile(data as Parameters<typeof defineProfile>[0]);
}

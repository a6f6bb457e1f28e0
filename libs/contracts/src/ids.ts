import { createHash, randomBytes } from 'node:crypto';

/** Identifier kinds, each with a short prefix so that an id says what it names. */
export type IdKind = 'rel' | 'trk' | 'job' | 'bat';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-sortable random id (ULID-like, Crockford base32): `rel_01jd...`. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[rnd[i] & 31];
  return `${kind}_${time}${random}`;
}

const ID_PATTERN = /^(rel|trk|job|bat)_[0-9a-z]{26}$/;
export function isId(value: unknown, kind?: IdKind): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && (!kind || value.startsWith(`${kind}_`));
}

/** Tenant ids are chosen by operators: short, lowercase, safe in storage keys and URLs. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Stable JSON (sorted keys) so that equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Deterministic short digest of any JSON-able value: the basis of idempotent keys and event ids. */
export function digest(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

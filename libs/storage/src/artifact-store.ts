import type { Readable } from 'node:stream';

/** What a store knows of one object. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

export interface PutOptions {
  readonly contentType?: string;
  /** Small string metadata kept with the object. */
  readonly metadata?: Record<string, string>;
  /** Conditional create: fail with PreconditionFailedError when the key exists. */
  readonly ifNoneMatch?: '*';
  /** Conditional update: fail with PreconditionFailedError unless the current ETag is this one. */
  readonly ifMatch?: string;
}

export interface PutResult {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  /** SHA-256 of the bytes written, hex. */
  readonly sha256: string;
}

export type Body = Buffer | string | Readable;

/**
 * One interface for every place artifacts live: S3 (distributed) and a local folder (embedded).
 * Keys are `/`-separated, laid out by tenant / release / track / step (see keys.ts).
 */
export interface ArtifactStore {
  readonly kind: 's3' | 'local';
  /** Creates the bucket/folder when missing. Idempotent. */
  ensureReady(): Promise<void>;
  put(key: string, body: Body, options?: PutOptions): Promise<PutResult>;
  /** Uploads a file; large files go up in parts. */
  putFile(key: string, path: string, options?: PutOptions): Promise<PutResult>;
  /** Streams an object; throws NotFoundError. */
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  /** A whole (small) object with the ETag of exactly those bytes, for read-modify-write with If-Match; null when absent. */
  read(key: string): Promise<{ body: Buffer; etag: string } | null>;
  /** Downloads to a file, verifying integrity as it goes. */
  getToFile(key: string, path: string): Promise<ObjectInfo>;
  /** null when absent. */
  head(key: string): Promise<ObjectInfo | null>;
  list(prefix: string): Promise<ObjectInfo[]>;
  copy(fromKey: string, toKey: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** A time-limited download URL, or null when the store cannot sign one (the gateway then serves it). */
  presignGet(key: string, ttlSeconds: number, downloadName?: string): Promise<string | null>;
  /** A time-limited upload URL, or null when the store cannot sign one. */
  presignPut(key: string, ttlSeconds: number, contentType?: string): Promise<string | null>;
  close(): Promise<void>;
}

export class NotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object at ${key}`);
    this.name = 'NotFoundError';
  }
}

export class PreconditionFailedError extends Error {
  constructor(
    readonly key: string,
    condition: string,
  ) {
    super(`precondition ${condition} failed for ${key}`);
    this.name = 'PreconditionFailedError';
  }
}

/** The store did not answer or answered with a server error: trying again may help. */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Reads a JSON object, or null when absent. */
export async function getJson<T>(store: ArtifactStore, key: string): Promise<T | null> {
  try {
    return JSON.parse((await store.getBuffer(key)).toString('utf8')) as T;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

/** Reads a JSON object with its ETag, for compare-and-swap updates; null when absent. */
export async function readJson<T>(
  store: ArtifactStore,
  key: string,
): Promise<{ value: T; etag: string } | null> {
  const got = await store.read(key);
  return got ? { value: JSON.parse(got.body.toString('utf8')) as T, etag: got.etag } : null;
}

/**
 * Read-modify-write of a JSON object with optimistic concurrency (If-Match / If-None-Match),
 * retried when another writer got there first. `update` returns the new value, or null to leave
 * the object as it is.
 */
export async function updateJson<T>(
  store: ArtifactStore,
  key: string,
  update: (current: T | null) => T | null,
  attempts = 20,
): Promise<T | null> {
  for (let i = 0; i < attempts; i++) {
    const current = await readJson<T>(store, key);
    const next = update(current ? current.value : null);
    if (next === null) return current ? current.value : null;
    try {
      await putJson(store, key, next, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
      return next;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20 * (i + 1))));
    }
  }
  throw new Error(`too much contention updating ${key}`);
}

export async function putJson(
  store: ArtifactStore,
  key: string,
  value: unknown,
  options: PutOptions = {},
): Promise<PutResult> {
  return store.put(key, JSON.stringify(value, null, 2) + '\n', {
    contentType: 'application/json',
    ...options,
  });
}

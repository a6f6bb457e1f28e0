import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  NotFoundError,
  PreconditionFailedError,
  type ArtifactStore,
  type Body,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
} from './artifact-store';
import { HashingStream } from './hashing';

interface Meta {
  etag: string;
  size: number;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * Artifacts in a local folder: the embedded mode's store. Objects live under `<root>/objects/`,
 * their metadata under `<root>/meta/`. Writes go to a temporary file and are renamed into place,
 * so readers never see half an object. Conditional writes are exact within one process (the
 * embedded mode is one process); create-if-absent is also atomic across processes (link(2)).
 */
export class LocalFolderStore implements ArtifactStore {
  readonly kind = 'local' as const;
  private readonly objects: string;
  private readonly meta: string;
  private readonly tmp: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {
    this.objects = join(resolve(root), 'objects');
    this.meta = join(resolve(root), 'meta');
    this.tmp = join(resolve(root), 'tmp');
  }

  async ensureReady(): Promise<void> {
    await Promise.all([this.objects, this.meta, this.tmp].map((d) => mkdir(d, { recursive: true })));
  }

  private pathOf(key: string): string {
    if (!key || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new RangeError(`invalid key ${JSON.stringify(key)}`);
    }
    return join(this.objects, ...key.split('/'));
  }

  private metaPathOf(key: string): string {
    return join(this.meta, ...key.split('/')) + '.json';
  }

  /** Serialises writers of one key inside this process. */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<PutResult> {
    const source =
      typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([Buffer.from(body)]) : body;
    return this.write(key, source, options);
  }

  async putFile(key: string, path: string, options: PutOptions = {}): Promise<PutResult> {
    return this.write(key, createReadStream(path), options);
  }

  private async write(key: string, source: Readable, options: PutOptions): Promise<PutResult> {
    const target = this.pathOf(key);
    await this.ensureReady();
    const tmpFile = join(this.tmp, randomUUID());
    const hashing = new HashingStream();
    try {
      await pipeline(source, hashing, createWriteStream(tmpFile));
      const etag = hashing.digest();
      const meta: Meta = {
        etag,
        size: hashing.bytes,
        contentType: options.contentType,
        metadata: options.metadata,
      };
      return await this.withLock(key, async () => {
        await mkdir(dirname(target), { recursive: true });
        if (options.ifMatch !== undefined) {
          const current = await this.head(key);
          if (!current || current.etag !== options.ifMatch)
            throw new PreconditionFailedError(key, 'If-Match');
        }
        await this.writeMeta(key, meta);
        if (options.ifNoneMatch === '*') {
          try {
            await link(tmpFile, target);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EEXIST')
              throw new PreconditionFailedError(key, 'If-None-Match');
            throw e;
          }
          await rm(tmpFile, { force: true });
        } else {
          await rename(tmpFile, target);
        }
        return { key, etag, size: meta.size, sha256: etag };
      });
    } finally {
      await rm(tmpFile, { force: true });
    }
  }

  private async writeMeta(key: string, meta: Meta): Promise<void> {
    const path = this.metaPathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmpFile = join(this.tmp, randomUUID());
    await writeFile(tmpFile, JSON.stringify(meta));
    await rename(tmpFile, path);
  }

  private async readMeta(key: string): Promise<Meta | null> {
    try {
      return JSON.parse(await readFile(this.metaPathOf(key), 'utf8')) as Meta;
    } catch {
      return null;
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      throw new NotFoundError(key);
    }
    return createReadStream(path);
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(key);
      throw e;
    }
  }

  async read(key: string): Promise<{ body: Buffer; etag: string } | null> {
    try {
      const body = await readFile(this.pathOf(key));
      // The ETag of the local store is the SHA-256 of the bytes: exact for what was read.
      return { body, etag: createHash('sha256').update(body).digest('hex') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async getToFile(key: string, path: string): Promise<ObjectInfo> {
    const info = await this.head(key);
    if (!info) throw new NotFoundError(key);
    const hashing = new HashingStream();
    await pipeline(await this.get(key), hashing, createWriteStream(path));
    if (hashing.digest() !== info.etag) throw new Error(`checksum mismatch reading ${key}`);
    return info;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    let st;
    try {
      st = await stat(this.pathOf(key));
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const meta = await this.readMeta(key);
    return {
      key,
      size: st.size,
      etag: meta?.etag ?? '',
      lastModified: st.mtime,
      contentType: meta?.contentType,
      metadata: meta?.metadata,
    };
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else {
          const key = relative(this.objects, full).split(sep).join('/');
          if (key.startsWith(prefix)) {
            const info = await this.head(key);
            if (info) out.push(info);
          }
        }
      }
    };
    // start from the deepest existing folder of the prefix
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(folder ? join(this.objects, ...folder.split('/')) : this.objects);
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const meta = await this.readMeta(fromKey);
    const target = this.pathOf(toKey);
    await this.ensureReady();
    const tmpFile = join(this.tmp, randomUUID());
    try {
      await copyFile(this.pathOf(fromKey), tmpFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(fromKey);
      throw e;
    }
    await this.withLock(toKey, async () => {
      await mkdir(dirname(target), { recursive: true });
      if (meta) await this.writeMeta(toKey, meta);
      await rename(tmpFile, target);
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    await rm(this.metaPathOf(key), { force: true });
  }

  async presignGet(): Promise<string | null> {
    return null;
  }

  async presignPut(): Promise<string | null> {
    return null;
  }

  async close(): Promise<void> {}
}

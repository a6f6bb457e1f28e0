import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError, PreconditionFailedError, type ArtifactStore } from '@pressline/storage';

/**
 * The behaviour every ArtifactStore must have, run against each implementation (the local folder
 * in the unit project, the real S3 server in the integration project).
 */
export function describeArtifactStoreContract(
  name: string,
  makeStore: () => Promise<ArtifactStore>,
  options: { bigObjectBytes: number },
): void {
  describe(`${name} (ArtifactStore contract)`, () => {
    let store: ArtifactStore;
    let dir: string;
    const prefix = `contract-${Date.now()}-${randomBytes(3).toString('hex')}/`;

    beforeAll(async () => {
      store = await makeStore();
      await store.ensureReady();
      dir = await mkdtemp(join(tmpdir(), 'store-contract-'));
    });
    afterAll(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('writes, heads and reads back a small object with its SHA-256', async () => {
      const put = await store.put(`${prefix}a/hello.txt`, 'hello', { contentType: 'text/plain' });
      expect(put.sha256).toBe(createHash('sha256').update('hello').digest('hex'));
      expect(put.size).toBe(5);
      const info = await store.head(`${prefix}a/hello.txt`);
      expect(info?.size).toBe(5);
      expect((await store.getBuffer(`${prefix}a/hello.txt`)).toString()).toBe('hello');
    });

    it('streams a large object up in parts and back, byte for byte', async () => {
      const size = options.bigObjectBytes;
      const chunk = randomBytes(1024 * 1024);
      const expected = createHash('sha256');
      let sent = 0;
      const source = Readable.from(
        (function* () {
          while (sent < size) {
            const n = Math.min(chunk.length, size - sent);
            const part = chunk.subarray(0, n);
            expected.update(part);
            sent += n;
            yield part;
          }
        })(),
      );
      const put = await store.put(`${prefix}big.bin`, source, { contentType: 'application/octet-stream' });
      const wanted = expected.digest('hex');
      expect(put.size).toBe(size);
      expect(put.sha256).toBe(wanted);
      const file = join(dir, 'big.bin');
      await store.getToFile(`${prefix}big.bin`, file);
      expect(
        createHash('sha256')
          .update(await readFile(file))
          .digest('hex'),
      ).toBe(wanted);
      const streamed = createHash('sha256');
      for await (const c of await store.get(`${prefix}big.bin`)) streamed.update(c as Buffer);
      expect(streamed.digest('hex')).toBe(wanted);
    });

    it('lists objects under a prefix in key order', async () => {
      await store.put(`${prefix}list/b.txt`, 'b');
      await store.put(`${prefix}list/a.txt`, 'a');
      await store.put(`${prefix}list/sub/c.txt`, 'c');
      const keys = (await store.list(`${prefix}list/`)).map((o) => o.key);
      expect(keys).toEqual([`${prefix}list/a.txt`, `${prefix}list/b.txt`, `${prefix}list/sub/c.txt`]);
    });

    it('refuses to create an object that exists (If-None-Match: *)', async () => {
      await store.put(`${prefix}once.json`, '{"n":1}', { ifNoneMatch: '*' });
      await expect(store.put(`${prefix}once.json`, '{"n":2}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.getBuffer(`${prefix}once.json`)).toString()).toBe('{"n":1}');
    });

    it('updates only from the expected version (If-Match)', async () => {
      const first = await store.put(`${prefix}cas.json`, 'v1');
      const second = await store.put(`${prefix}cas.json`, 'v2', { ifMatch: first.etag });
      await expect(store.put(`${prefix}cas.json`, 'v3', { ifMatch: first.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.getBuffer(`${prefix}cas.json`)).toString()).toBe('v2');
      expect(second.etag).not.toBe(first.etag);
    });

    it('copies and deletes objects', async () => {
      await store.put(`${prefix}src.txt`, 'copy me');
      await store.copy(`${prefix}src.txt`, `${prefix}dst/copied.txt`);
      expect((await store.getBuffer(`${prefix}dst/copied.txt`)).toString()).toBe('copy me');
      await store.delete(`${prefix}src.txt`);
      expect(await store.head(`${prefix}src.txt`)).toBeNull();
    });

    it('reports a missing object as NotFoundError', async () => {
      await expect(store.getBuffer(`${prefix}missing`)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.get(`${prefix}missing`)).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.head(`${prefix}missing`)).toBeNull();
    });
  });
}

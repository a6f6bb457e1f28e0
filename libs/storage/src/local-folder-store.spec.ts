import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeArtifactStoreContract } from '../../testing/src/store-contract';
import { LocalFolderStore } from './local-folder-store';

describeArtifactStoreContract(
  'LocalFolderStore',
  async () => new LocalFolderStore(await mkdtemp(join(tmpdir(), 'local-store-'))),
  {
    bigObjectBytes: 12 * 1024 * 1024,
  },
);

describe('LocalFolderStore keys', () => {
  it('refuses keys that would escape its folder', async () => {
    const store = new LocalFolderStore(await mkdtemp(join(tmpdir(), 'local-store-')));
    await expect(store.put('../outside.txt', 'x')).rejects.toBeInstanceOf(RangeError);
    await expect(store.put('a/../../b', 'x')).rejects.toBeInstanceOf(RangeError);
  });
});

import type { ArtifactStore } from './artifact-store';
import { LocalFolderStore } from './local-folder-store';
import { S3Store, type S3StoreOptions } from './s3-store';

export type StoreConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3StoreOptions);

export function createStore(config: StoreConfig): ArtifactStore {
  switch (config.kind) {
    case 'local':
      return new LocalFolderStore(config.root);
    case 's3':
      return new S3Store(config);
  }
}

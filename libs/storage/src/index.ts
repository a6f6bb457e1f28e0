export * from './artifact-store';
export * from './create-store';
export * from './hashing';
export * from './keys';
export * from './local-folder-store';
export * from './s3-store';

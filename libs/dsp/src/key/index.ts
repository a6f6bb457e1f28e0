export * from './notation';
export * from './profiles';
export * from './chroma';
export * from './key-analyzer';

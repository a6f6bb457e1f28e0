export * from './units';
export * from './fft';
export * from './filters';
export * from './loudness';
export * from './qc';
export * from './rhythm';
export * from './key';

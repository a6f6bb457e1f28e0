export * from './units';
export * from './fft';
export * from './filters';
export * from './loudness';
export * from './qc';

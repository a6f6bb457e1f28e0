export * from './units';
export * from './fft';
export * from './filters';
export * from './rhythm';
export * from './key';
export * from './loudness';
export * from './qc';
export * from './mastering';

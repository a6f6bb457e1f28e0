export * from './units';
export * from './fft';
export * from './filters';

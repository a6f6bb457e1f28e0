export * from './fft';
export * from './sliding-frames';

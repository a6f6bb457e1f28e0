export * from './fft';

export * from './biquad';

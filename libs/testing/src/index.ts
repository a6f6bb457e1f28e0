export * from './wav';
export * from './infra-env';
export * from './process-line';
export * from './audio-fixtures';
export * from './synth';

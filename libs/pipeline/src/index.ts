export * from './bus';
export * from './cpu-pool';
export * from './emitter';
export * from './kafka-bus';
export * from './memory-bus';
export * from './release-worker';
export * from './stage';
export * from './stage-worker';

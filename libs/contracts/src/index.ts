export * from './errors';
export * from './identifiers';
export * from './ids';
export * from './messages';
export * from './release';
export * from './steps';
export * from './topics';

export * from './mix-stems';
export * from './mixing.stage';

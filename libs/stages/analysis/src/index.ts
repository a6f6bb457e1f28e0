export * from './analysis.stage';
export * from './analyze-file';

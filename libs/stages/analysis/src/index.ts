export * from './analysis.stage';

export * from './mastering.stage';

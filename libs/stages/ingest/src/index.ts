export * from './ingest.rules';
export * from './ingest.stage';

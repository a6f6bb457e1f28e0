export * from './analyzer';
export * from './bandwidth';
export * from './findings';

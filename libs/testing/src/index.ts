export * from './wav';
export * from './store-contract';
export * from './infra-env';

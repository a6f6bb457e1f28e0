export * from './gateway.module';
export * from './tokens';
export * from './start-gateway';

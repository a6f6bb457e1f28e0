export * from './package-layout';
export * from './packaging.stage';

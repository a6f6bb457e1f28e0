export * from './prng';
export * from './theory';
export * from './render';
export * from './set';

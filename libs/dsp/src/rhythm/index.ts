export * from './resample';
export * from './periodicity';
export * from './onset';
export * from './tempo';
export * from './beats';
export * from './metre';
export * from './rhythm-analyzer';
export * from './percival';

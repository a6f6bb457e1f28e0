export * from './channels';
export * from './k-weighting';
export * from './true-peak';
export * from './meter';

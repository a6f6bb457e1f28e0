export * from './download-links';
export * from './errors';
export * from './release-service';
export * from './release-view';
export * from './status-projector';
export * from './track-status';
export * from './webhooks';

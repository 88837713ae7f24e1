export * from './clusterConnections';
export * from './policy';
export * from './secrets';

export * from './clusterManager';
export * from './resolveGkeClusterConnection';

export * from './clusterConnections';

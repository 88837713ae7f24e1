export { ClusterAccessPanel, clusterAccessDetails } from './ClusterAccessPanel';

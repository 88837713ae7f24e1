export { ClusterHistoryCard, ClusterHistoryView } from './ClusterHistoryCard';

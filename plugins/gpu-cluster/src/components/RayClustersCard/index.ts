export { RayClustersCard } from './RayClustersCard';

export { KueueQueuesCard } from './KueueQueuesCard';

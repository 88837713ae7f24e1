export { FabricCard } from './FabricCard';

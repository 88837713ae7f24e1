export { FabricVerificationCard } from './FabricVerificationCard';

export {
  StateChip,
  toneOfGkeStatus,
  toneOfProvisioning,
  toneOfRayCluster,
  toneOfRayJob,
  toneOfSeverity,
  toneOfWorkloadPhase,
} from './StateChip';
export type { StateTone } from './StateChip';

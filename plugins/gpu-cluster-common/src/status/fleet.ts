import type { ClusterAccessReason } from './access';
import type {
  ClusterStatusSummary,
  StatusFlag,
  StatusSectionName,
} from './model';

/**
 * One GPU cluster of the fleet page (`GET /fleet`): the figures a platform engineer compares
 * across clusters, taken from the same bounded status the entity tab loads.
 * @public
 */
export interface FleetCluster {
  entityRef: string;
  /** The entity's title, else its name. */
  title: string;
  owner?: string;
  /** Owned by the signed-in user or one of their groups. */
  mine: boolean;
  projectId?: string;
  location?: string;
  /** GKE's cluster status (RUNNING, PROVISIONING, RECONCILING, ERROR...). */
  gkeStatus?: string;
  /** Absent when the status could not be read (see `error`). */
  summary?: ClusterStatusSummary;
  /** The most pressing flag (errors first), with how many there are. */
  worstFlag?: StatusFlag;
  flagCount?: number;
  /** Parts of the status whose data is stale or missing: their figures are not current. */
  degradedSections?: StatusSectionName[];
  /** Why there is no status for this cluster (the same reasons as the status API's errors). */
  error?: { reason: ClusterAccessReason | 'TIMEOUT'; message: string };
}

/**
 * Every GPU cluster in the catalog the signed-in user may read, theirs first, at most `limit`.
 * @public
 */
export interface GpuFleet {
  generatedAt: string;
  clusters: FleetCluster[];
  /** How many GPU cluster entities the catalog holds for this user. */
  total: number;
  limit: number;
}

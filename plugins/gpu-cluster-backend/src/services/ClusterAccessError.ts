import {
  CLUSTER_ACCESS_REASONS,
  type ClusterAccessReason,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/**
 * Why a cluster's status is not served, with the HTTP status, a reason code and the config key
 * that decides it. Backstage's error handler serialises `reason` and `configKey` into the
 * response's `error`, so the entity tab can explain the case instead of "Request failed".
 */
export class ClusterAccessError extends Error {
  readonly statusCode: number;
  constructor(
    readonly reason: ClusterAccessReason,
    message: string,
    readonly configKey?: string,
  ) {
    super(message);
    this.name = 'ClusterAccessError';
    this.statusCode = CLUSTER_ACCESS_REASONS[reason].statusCode;
    // No stack in error bodies (and none needed: the message says it all).
    this.stack = `${this.name}: ${message}`;
  }
}

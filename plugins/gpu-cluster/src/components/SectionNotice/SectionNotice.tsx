import { WarningPanel } from '@backstage/core-components';
import type {
  ClusterStatus,
  StatusSectionName,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

const TITLES: Record<StatusSectionName, string> = {
  nodes: 'Nodes',
  gpuUsage: 'GPU usage',
  queues: 'Kueue queues',
  workloads: 'Workloads',
  provisioningRequests: 'ProvisioningRequests',
  ray: 'Ray',
  fabric: 'Fabric (networks, RDMA)',
};

/** True when the section has no data: its lists are empty because they could not be read. */
export const isMissing = (
  status: Pick<ClusterStatus, 'sections'>,
  section: StatusSectionName,
) => status.sections?.[section]?.state === 'missing';

/** True when the cluster does not serve the section's kinds (Kueue or KubeRay not installed). */
export const isNotInstalled = (
  status: Pick<ClusterStatus, 'sections'>,
  section: StatusSectionName,
) => status.sections?.[section]?.state === 'notInstalled';

/**
 * What a section's data is worth when it is not simply fresh: missing (could not be read),
 * stale (the last known, since when) or partial (read, but cross-checked without a kind).
 * Missing and stale notices open with their reason shown (the kind and the API server's error):
 * it is what a platform engineer acts on. Renders nothing when the section is fine.
 */
export function SectionNotice(props: {
  status: Pick<ClusterStatus, 'sections'>;
  section: StatusSectionName;
}) {
  const s = props.status.sections?.[props.section];
  const title = TITLES[props.section];
  if (!s) return null;
  switch (s.state) {
    case 'missing':
      return (
        <WarningPanel
          severity="error"
          defaultExpanded
          title={`${title} could not be read`}
          message={`No data, so nothing here is counted: ${s.message ?? ''}`}
        />
      );
    case 'stale':
      return (
        <WarningPanel
          severity="warning"
          defaultExpanded
          title={`${title}: last known data${
            s.staleSince ? ` (not refreshed since ${s.staleSince})` : ''
          }`}
          message={s.message}
        />
      );
    case 'partial':
      return (
        <WarningPanel
          severity="info"
          title={`${title}: read without every detail`}
          message={s.message}
        />
      );
    default:
      return null;
  }
}

import { stringifyEntityRef } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackUpdatePermission,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import NetworkCheckIcon from '@material-ui/icons/NetworkCheck';

/** Where the app serves the "Verify GPU cluster fabric" template. @public */
export const VERIFY_TEMPLATE_PATH =
  '/create/templates/default/gke-gpu-cluster-verify';

/** The Verify template's form, pre-filled with the cluster's entity reference. @public */
export function verifyTemplateLink(entityRef: string): string {
  return `${VERIFY_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify({ entityRef }),
  )}`;
}

/**
 * "Verify fabric" on a GPU cluster's entity: opens the Verify GPU cluster fabric template with the
 * entity pre-filled. Shown only when the permission framework allows the signed-in user
 * `gpuCluster.stack.update` on this entity (the policy allows its owners), the decision the
 * `gpu-cluster:verify` action asks again before it runs.
 *
 * @public
 */
export function VerifyFabricButton() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const update = usePermission({
    permission: gpuClusterStackUpdatePermission,
    resourceRef: entityRef,
  });
  const isCluster = Boolean(
    entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName],
  );
  if (!isCluster || !update.allowed) return null;
  return (
    <LinkButton
      to={verifyTemplateLink(entityRef)}
      variant="outlined"
      color="primary"
      startIcon={<NetworkCheckIcon />}
      aria-label={`Verify the fabric of ${entity.metadata.name}`}
      style={{ marginRight: 8 }}
    >
      Verify fabric
    </LinkButton>
  );
}

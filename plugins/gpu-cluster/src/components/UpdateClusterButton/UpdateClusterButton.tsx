import { stringifyEntityRef } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackUpdatePermission,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import EditIcon from '@material-ui/icons/Edit';

/** Where the app serves the "Update GPU cluster" template (the scaffolder at /create). @public */
export const UPDATE_TEMPLATE_PATH =
  '/create/templates/default/gke-gpu-cluster-update';

/** The Update template's form, pre-filled with the cluster's entity reference. @public */
export function updateTemplateLink(entityRef: string): string {
  return `${UPDATE_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify({ entityRef }),
  )}`;
}

/**
 * "Update cluster" on a GPU cluster's entity: opens the Update GPU cluster template with the
 * entity pre-filled (its form then loads the spec stored with the cluster). Shown only when the
 * permission framework allows the signed-in user `gpuCluster.stack.update` on this entity (the
 * policy allows its owners), the decision the `gpu-cluster:update` action and the spec route
 * ask again.
 *
 * @public
 */
export function UpdateClusterButton() {
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
      to={updateTemplateLink(entityRef)}
      variant="outlined"
      color="primary"
      startIcon={<EditIcon />}
      aria-label={`Update ${entity.metadata.name}`}
    >
      Update cluster
    </LinkButton>
  );
}

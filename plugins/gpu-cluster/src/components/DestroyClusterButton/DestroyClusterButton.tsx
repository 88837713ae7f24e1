import { stringifyEntityRef } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackUpdatePermission,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import DeleteIcon from '@material-ui/icons/Delete';

/** Where the app serves the "Destroy GPU cluster" template (the scaffolder at /create). @public */
export const DESTROY_TEMPLATE_PATH =
  '/create/templates/default/gke-gpu-cluster-destroy';

/** The Destroy template's form, pre-filled with the cluster's entity reference. @public */
export function destroyTemplateLink(entityRef: string): string {
  return `${DESTROY_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify({ entityRef }),
  )}`;
}

/**
 * "Destroy cluster" on a GPU cluster's entity: opens the Destroy GPU cluster template with the
 * entity pre-filled. Shown only when the permission framework allows the signed-in user both
 * `catalog.entity.delete` and `gpuCluster.stack.update` on this entity (the policy allows its
 * owners), the two decisions the `gpu-cluster:destroy` action asks again before it runs.
 *
 * @public
 */
export function DestroyClusterButton() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const deletion = usePermission({
    permission: catalogEntityDeletePermission,
    resourceRef: entityRef,
  });
  const update = usePermission({
    permission: gpuClusterStackUpdatePermission,
    resourceRef: entityRef,
  });
  const isCluster = Boolean(
    entity.metadata.annotations?.[GPU_CLUSTER_ANNOTATIONS.clusterName],
  );
  if (!isCluster || !deletion.allowed || !update.allowed) return null;
  return (
    <LinkButton
      to={destroyTemplateLink(entityRef)}
      variant="outlined"
      color="secondary"
      startIcon={<DeleteIcon />}
      aria-label={`Destroy ${entity.metadata.name}`}
    >
      Destroy cluster
    </LinkButton>
  );
}

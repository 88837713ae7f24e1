import type { ReactNode } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  GPU_CLUSTER_ANNOTATIONS,
  gpuClusterStackUpdatePermission,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/** A template's form at `templatePath`, pre-filled with the cluster's entity reference. */
export function clusterTemplateLink(
  templatePath: string,
  entityRef: string,
): string {
  return `${templatePath}?formData=${encodeURIComponent(
    JSON.stringify({ entityRef }),
  )}`;
}

/**
 * An owner's action on a GPU cluster's entity that opens one of the owner-only templates with the
 * entity pre-filled. Shown only when the permission framework allows the signed-in user
 * `gpuCluster.stack.update` on this entity (the policy allows its owners), the decision the
 * template's action asks again before it runs.
 */
export function ClusterTemplateButton(props: {
  templatePath: string;
  icon: ReactNode;
  label: string;
  ariaLabel: (entityName: string) => string;
}) {
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
      to={clusterTemplateLink(props.templatePath, entityRef)}
      variant="outlined"
      color="primary"
      startIcon={props.icon}
      aria-label={props.ariaLabel(entity.metadata.name)}
    >
      {props.label}
    </LinkButton>
  );
}

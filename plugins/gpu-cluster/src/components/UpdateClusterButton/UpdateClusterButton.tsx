import EditIcon from '@material-ui/icons/Edit';
import {
  ClusterTemplateButton,
  clusterTemplateLink,
} from '../ClusterTemplateButton';

/** Where the app serves the "Update GPU cluster" template (the scaffolder at /create). @public */
export const UPDATE_TEMPLATE_PATH =
  '/create/templates/default/gke-gpu-cluster-update';

/** The Update template's form, pre-filled with the cluster's entity reference. @public */
export function updateTemplateLink(entityRef: string): string {
  return clusterTemplateLink(UPDATE_TEMPLATE_PATH, entityRef);
}

/**
 * "Update cluster" on a GPU cluster's entity, for its owners: opens the Update GPU cluster
 * template with the entity pre-filled (its form then loads the spec stored with the cluster; the
 * `gpu-cluster:update` action and the spec route ask for `gpuCluster.stack.update` again).
 *
 * @public
 */
export function UpdateClusterButton() {
  return (
    <ClusterTemplateButton
      templatePath={UPDATE_TEMPLATE_PATH}
      icon={<EditIcon />}
      label="Update cluster"
      ariaLabel={name => `Update ${name}`}
    />
  );
}

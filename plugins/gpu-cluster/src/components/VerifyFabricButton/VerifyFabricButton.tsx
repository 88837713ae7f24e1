import NetworkCheckIcon from '@material-ui/icons/NetworkCheck';
import {
  ClusterTemplateButton,
  clusterTemplateLink,
} from '../ClusterTemplateButton';

/** Where the app serves the "Verify GPU cluster fabric" template. @public */
export const VERIFY_TEMPLATE_PATH =
  '/create/templates/default/gke-gpu-cluster-verify';

/** The Verify template's form, pre-filled with the cluster's entity reference. @public */
export function verifyTemplateLink(entityRef: string): string {
  return clusterTemplateLink(VERIFY_TEMPLATE_PATH, entityRef);
}

/**
 * "Verify fabric" on a GPU cluster's entity, for its owners: opens the Verify GPU cluster fabric
 * template with the entity pre-filled (`gpu-cluster:verify` asks for `gpuCluster.stack.update`
 * again before it runs).
 *
 * @public
 */
export function VerifyFabricButton() {
  return (
    <ClusterTemplateButton
      templatePath={VERIFY_TEMPLATE_PATH}
      icon={<NetworkCheckIcon />}
      label="Verify fabric"
      ariaLabel={name => `Verify the fabric of ${name}`}
    />
  );
}

import {
  resolveNodePools,
  stackNames,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';

/**
 * The Google Cloud APIs the shipped Terraform module enables (`enabled_services` in
 * terraform/variables.tf, enabled by its `services` module; seed 000 services.tf). A test keeps
 * this list equal to the module's default.
 *
 * @public
 */
export const STACK_SERVICES: readonly string[] = [
  'cloudresourcemanager.googleapis.com',
  'serviceusage.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'storage.googleapis.com',
  'file.googleapis.com',
  'artifactregistry.googleapis.com',
  'cloudbuild.googleapis.com',
  'servicenetworking.googleapis.com',
  'secretmanager.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
];

/** A permission the run needs on the project, and why. @public */
export interface RequiredPermission {
  permission: string;
  /** What of the stack needs it (shown when it is missing). */
  reason: string;
}

/**
 * The IAM permissions the runner's identity needs on the project for what this stack creates,
 * from the resources of the shipped module (per resource type, the `create`/`get` permissions
 * of https://cloud.google.com/iam/docs/permissions-reference) plus the state bucket. Stays well
 * under testIamPermissions' limit of 100 permissions per call.
 *
 * @public
 */
export function requiredPermissions(
  spec: GpuStackSpec,
  options: { stateBucketMayBeCreated: boolean },
): RequiredPermission[] {
  const names = stackNames(spec);
  const pools = resolveNodePools(spec);
  const list: RequiredPermission[] = [];
  const add = (reason: string, ...permissions: string[]) =>
    permissions.forEach(permission => list.push({ permission, reason }));

  add(
    'enabling the APIs (services module)',
    'serviceusage.services.enable',
    'serviceusage.services.get',
  );
  add(
    'the VPCs, subnets, router, NAT and firewall rules (network module)',
    'compute.networks.create',
    'compute.networks.get',
    'compute.subnetworks.create',
    'compute.subnetworks.get',
    'compute.firewalls.create',
    'compute.routers.create',
  );
  if (pools.some(p => p.rdma))
    add('the RDMA network profile', 'compute.networkProfiles.get');
  add(
    `the GKE cluster ${names.clusterName} and its node pools (cluster, node-pool modules)`,
    'container.clusters.create',
    'container.clusters.get',
    'container.clusters.update',
    'container.operations.get',
  );
  add(
    'the node and workload service accounts and their project roles (iam module)',
    'iam.serviceAccounts.create',
    'iam.serviceAccounts.get',
    'iam.serviceAccounts.actAs',
    'iam.serviceAccounts.setIamPolicy',
    'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy',
  );
  if (spec.storage.trainingBucket.enabled)
    add(
      `the training bucket ${names.trainingBucket} (storage module)`,
      'storage.buckets.create',
      'storage.buckets.get',
      'storage.buckets.setIamPolicy',
    );
  if (spec.storage.filestore.length)
    add(
      'the Filestore instances (storage module)',
      'file.instances.create',
      'file.instances.get',
    );
  if (names.artifactRepositories.length)
    add(
      'the Artifact Registry repositories (registry module)',
      'artifactregistry.repositories.create',
      'artifactregistry.repositories.get',
    );
  if (spec.supplyChain.cloudBuild.enabled)
    add(
      'the Cloud Build private pool and its peering (build module)',
      'cloudbuild.workerpools.create',
      'compute.globalAddresses.create',
      'servicenetworking.services.addPeering',
    );
  if (spec.workloadIdentity.secretAccess)
    add(
      'Secret Manager access of the workload identity',
      'secretmanager.secrets.getIamPolicy',
    );
  add(
    `the Terraform state in gs://${names.stateBucket}`,
    'storage.objects.create',
    'storage.objects.get',
    'storage.objects.list',
  );
  if (options.stateBucketMayBeCreated)
    add(
      `creating the state bucket gs://${names.stateBucket}`,
      'storage.buckets.create',
    );
  // One entry per permission, keeping the first reason.
  const seen = new Set<string>();
  return list.filter(p =>
    seen.has(p.permission) ? false : (seen.add(p.permission), true),
  );
}

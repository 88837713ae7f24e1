import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { renderTfvars, terraformBackendConfig } from './renderTfvars';

const baseInput = {
  identity: {
    projectId: 'demo-project',
    namePrefix: 'demo',
    owner: 'group:default/ml-platform',
  },
};

describe('renderTfvars', () => {
  it('maps the default spec to seed 001: one queued-provisioning H200 pool with 8 RDMA subnets', () => {
    const tfvars = renderTfvars(assertGpuStackSpec(baseInput)) as any;
    expect(tfvars.project_id).toBe('demo-project');
    expect(tfvars.zones).toEqual(['us-central1-b']);
    expect(tfvars.network.rdma_network_profile).toBe(
      'projects/demo-project/global/networkProfiles/us-central1-b-vpc-roce',
    );
    expect(tfvars.network.rdma_subnets).toHaveLength(8);
    expect(tfvars.network.rdma_subnets[0]).toEqual({
      name: 'demo-rdma-sub-0',
      cidr: '192.168.1.0/24',
    });
    expect(tfvars.node_pools).toHaveLength(1);
    expect(tfvars.node_pools[0]).toMatchObject({
      machine_type: 'a3-ultragpu-8g',
      gpu_type: 'nvidia-h200-141gb',
      gpu_count: 8,
      flex_start: true,
      queued_provisioning: true,
      spot: false,
      auto_repair: false,
      rdma: true,
      location_policy: 'ANY',
      min_nodes: 0,
      reservation_affinity: { type: 'NO_RESERVATION' },
    });
    expect(tfvars.labels['aiinfra-cluster']).toBe('demo');
    expect(tfvars.workload_identity.kubernetes_service_accounts).toHaveLength(
      1,
    );
    // Values are plain JSON data: serialisable without loss.
    expect(JSON.parse(JSON.stringify(tfvars))).toEqual(tfvars);
  });

  it('maps a spot pool without RDMA and the virtual registries to their upstreams', () => {
    const tfvars = renderTfvars(
      assertGpuStackSpec({
        ...baseInput,
        nodePools: [
          {
            name: 'l4-spot',
            machineType: 'g2-standard-8',
            provisioning: { mode: 'spot' },
          },
        ],
      }),
    ) as any;
    expect(tfvars.node_pools[0]).toMatchObject({
      name: 'l4-spot',
      spot: true,
      flex_start: false,
      queued_provisioning: false,
      rdma: false,
    });
    const virtual = tfvars.registry.repositories.find(
      (r: any) => r.mode === 'VIRTUAL_REPOSITORY' && r.format === 'DOCKER',
    );
    expect(virtual.upstreams).toEqual([
      'demo-docker-local',
      'demo-docker-remote',
    ]);
  });

  it('names the GCS backend like seed 004', () => {
    expect(terraformBackendConfig(assertGpuStackSpec(baseInput))).toEqual({
      bucket: 'aiinfra-terraform-demo-project',
      prefix: 'demo-deployment/terraform/state',
    });
  });
});

import { assertGpuStackSpec } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import {
  diffStackManifests,
  previewStackUpdate,
  refusedPlanChanges,
} from './stackUpdate';

const stored = assertGpuStackSpec({
  identity: {
    projectId: 'ml-research-1',
    namePrefix: 'research',
    owner: 'group:default/ml',
  },
});
const edit = (patch: (spec: any) => void) => {
  const copy = JSON.parse(JSON.stringify(stored));
  patch(copy);
  return assertGpuStackSpec(copy);
};

describe('stack update diff', () => {
  it('an unchanged spec changes nothing', () => {
    expect(previewStackUpdate(stored, stored)).toEqual({
      immutable: [],
      objects: [],
      variables: [],
    });
  });

  it('a pool resize changes its Terraform variables and no Kubernetes object', () => {
    const next = edit(spec => {
      spec.nodePools[0].maxNodes += 1;
    });
    const preview = previewStackUpdate(stored, next);
    expect(preview.immutable).toEqual([]);
    expect(preview.variables).toEqual([
      {
        path: 'node_pools[0].max_nodes',
        from: stored.nodePools[0].maxNodes,
        to: stored.nodePools[0].maxNodes + 1,
      },
    ]);
  });

  it('a renamed queue adds the new objects, removes the old ones and applies only their file', () => {
    const next = edit(spec => {
      spec.kueue.localQueueName = 'team-queue';
    });
    const diff = diffStackManifests(stored, next);
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          change: 'added',
          kind: 'LocalQueue',
          name: 'team-queue',
          file: '50-kueue-queues.yaml',
        }),
        expect.objectContaining({
          change: 'removed',
          kind: 'LocalQueue',
          name: 'dws-local-queue',
        }),
      ]),
    );
    expect(diff.removed.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'LocalQueue/dws-local-queue',
    ]);
    // Only the new queue and the RayCluster that submits to it (its queue-name label) are
    // applied: the objects that did not change are left alone.
    expect(diff.toApply.map(f => [f.path, f.objects.map(o => o.kind)])).toEqual(
      [
        ['50-kueue-queues.yaml', ['LocalQueue']],
        ['60-ray-cluster.yaml', ['RayCluster']],
      ],
    );
  });
});

describe('refusedPlanChanges', () => {
  it('refuses replacements and deletions except of removed GPU pools', () => {
    const changes = [
      'update module.node_pool["h200-dws"].google_container_node_pool.this',
      'delete module.node_pool["old"].google_container_node_pool.this',
      'delete module.node_pool["kept"].google_container_node_pool.this',
      'replace module.cluster.google_container_cluster.this',
      'delete module.network.google_compute_network.rdma[0]',
      'create module.node_pool["new"].google_container_node_pool.this',
    ];
    expect(refusedPlanChanges(changes, ['old'])).toEqual([
      'delete module.node_pool["kept"].google_container_node_pool.this',
      'replace module.cluster.google_container_cluster.this',
      'delete module.network.google_compute_network.rdma[0]',
    ]);
  });
});

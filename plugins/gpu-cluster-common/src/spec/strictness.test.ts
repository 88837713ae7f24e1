import {
  gpuStackSpecJsonSchema,
  parseGpuStackSpec,
  stackLabels,
  suggestName,
  type GpuStackSpecInput,
} from '..';

const minimal: GpuStackSpecInput = {
  identity: {
    projectId: 'gpu-launchpad-playground',
    namePrefix: 'a3u-dws',
    owner: 'group:default/ml-platform',
  },
};

function issuesOf(input: unknown) {
  const result = parseGpuStackSpec(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.issues;
}

describe('unknown fields are refused, naming the field', () => {
  it('refuses a misspelt nodepools instead of falling back to the default pool', () => {
    expect(
      issuesOf({
        ...minimal,
        nodepools: [{ name: 'l4', machineType: 'g2-standard-8' }],
      }),
    ).toEqual([
      {
        path: 'nodepools',
        message: 'unknown field "nodepools"; did you mean "nodePools"?',
      },
    ]);
  });

  it.each([
    [{ cluster: { privateEndPoint: true } }, 'cluster.privateEndPoint'],
    [{ nodePools: [{ name: 'gpu', maxnodes: 8 }] }, 'nodePools[0].maxnodes'],
    [
      { nodePools: [{ name: 'gpu', provisioning: { mdoe: 'spot' } }] },
      'nodePools[0].provisioning.mdoe',
    ],
    [
      { storage: { gcsMounts: [{ bucket: 'b-1', mountPath: '/m', ro: 1 }] } },
      'storage.gcsMounts[0].ro',
    ],
    [
      { ray: { workerGroups: [{ replicas: 2 }] } },
      'ray.workerGroups[0].replicas',
    ],
  ])('%j → %s', (extra, path) => {
    expect(issuesOf({ ...minimal, ...extra })).toEqual([
      expect.objectContaining({ path }),
    ]);
  });

  it('suggests the closest field, or lists the fields when nothing is close', () => {
    expect(issuesOf({ ...minimal, kueue: { gpuquota: 8 } })[0].message).toBe(
      'unknown field "gpuquota"; did you mean "gpuQuota"?',
    );
    expect(
      issuesOf({ ...minimal, terraformState: { somethingElse: 'x' } })[0]
        .message,
    ).toBe('unknown field "somethingElse"; expected one of bucket, prefix');
    expect(suggestName('ORCHESTRATOR', ['ORCHESTRATOR_TYPE'])).toBeUndefined();
    expect(suggestName('zone', ['zones', 'region'])).toBe('zones');
  });

  it('closes every object of the form schema (additionalProperties: false)', () => {
    const open: string[] = [];
    const walk = (node: any, path: string) => {
      if (!node || typeof node !== 'object') return;
      if (node.type === 'object' && node.properties) {
        if (node.additionalProperties !== false) open.push(path || '(root)');
        for (const [key, child] of Object.entries<any>(node.properties))
          walk(child, path ? `${path}.${key}` : key);
      }
      if (node.items) walk(node.items, `${path}[]`);
    };
    walk(gpuStackSpecJsonSchema(), '');
    expect(open).toEqual([]);
  });
});

describe('keys JavaScript gives a meaning to', () => {
  it.each(['constructor', 'prototype', '__proto__'])(
    'a %s label key is a clean field error',
    key => {
      const input = JSON.parse(
        `{"identity":{"projectId":"gpu-launchpad-playground","namePrefix":"a3u-dws","owner":"group:default/x","labels":{"${key}":"v"}}}`,
      );
      expect(issuesOf(input)).toEqual([
        {
          path: `identity.labels.${key}`,
          message: `"${key}" is a reserved name and cannot be used as a key`,
        },
      ]);
    },
  );

  it('keeps ordinary labels', () => {
    const result = parseGpuStackSpec({
      ...minimal,
      identity: { ...minimal.identity, labels: { team: 'vision' } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(stackLabels(result.spec).team).toBe('vision');
  });
});

describe('missing required fields say what to put there', () => {
  it('names the owner and its format', () => {
    expect(
      issuesOf({
        identity: { projectId: 'gpu-launchpad-playground', namePrefix: 'x1' },
      }),
    ).toEqual([
      {
        path: 'identity.owner',
        message:
          'required: a Backstage group or user reference such as group:default/ml-platform',
      },
    ]);
  });
});

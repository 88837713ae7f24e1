import { createCrdValidator } from './CrdValidator';

describe('createCrdValidator', () => {
  const validator = createCrdValidator();

  it('accepts a valid Kueue AdmissionCheck', () => {
    expect(
      validator.validate({
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'AdmissionCheck',
        metadata: { name: 'dws-prov' },
        spec: {
          controllerName: 'kueue.x-k8s.io/provisioning-request',
          parameters: {
            apiGroup: 'kueue.x-k8s.io',
            kind: 'ProvisioningRequestConfig',
            name: 'dws-config',
          },
        },
      }),
    ).toEqual([]);
  });

  it('names the field path of a missing required field and of unknown fields', () => {
    const issues = validator.validate({
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'ClusterQueue',
      metadata: { name: 'cq' },
      spec: {
        admissionChecksStrategy: {
          admissionChecks: [{ onFlavors: ['a3-ultra'] }],
        },
        bogus: 1,
      },
    });
    expect(issues).toEqual([
      {
        field: 'spec.admissionChecksStrategy.admissionChecks[0].name',
        message: 'Required value',
        type: 'FieldValueRequired',
      },
      {
        field: 'spec.bogus',
        message: 'field not declared in schema',
        type: 'FieldValueUnknown',
      },
    ]);
    expect(
      validator.validate(
        {
          apiVersion: 'kueue.x-k8s.io/v1beta2',
          kind: 'ClusterQueue',
          metadata: { name: 'cq' },
          spec: { bogus: 1 },
        },
        { unknownFields: 'ignore' },
      ),
    ).toEqual([]);
  });

  it('reports enum, type and int-or-string violations like the API server', () => {
    const issues = validator.validate({
      apiVersion: 'autoscaling.x-k8s.io/v1',
      kind: 'ProvisioningRequest',
      metadata: { name: 'pr', namespace: 'default' },
      spec: {
        provisioningClassName: 7,
        podSets: [{ count: 'one', podTemplateRef: { name: 't' } }],
      },
    });
    expect(issues.map(i => i.field).sort()).toEqual([
      'spec.podSets[0].count',
      'spec.provisioningClassName',
    ]);
    expect(issues.find(i => i.field === 'spec.podSets[0].count')?.message).toBe(
      'Invalid value: "string": spec.podSets[0].count in body must be of type integer: "string"',
    );
    const enumIssues = validator.validate({
      apiVersion: 'networking.gke.io/v1',
      kind: 'GKENetworkParamSet',
      metadata: { name: 'rdma-0' },
      spec: { vpc: 'v', vpcSubnet: 's', deviceMode: 'Turbo' },
    });
    expect(enumIssues).toEqual([
      expect.objectContaining({
        field: 'spec.deviceMode',
        type: 'FieldValueNotSupported',
        message: expect.stringContaining('"RDMA"'),
      }),
    ]);
  });

  it('uses the newer ComputeClass schema (priorities[].flexStart) and rejects unknown kinds', () => {
    expect(
      validator.validate({
        apiVersion: 'cloud.google.com/v1',
        kind: 'ComputeClass',
        metadata: { name: 'h200-dws' },
        spec: {
          priorities: [
            {
              flexStart: { enabled: true },
              gpu: { type: 'nvidia-h200-141gb', count: 8 },
            },
          ],
        },
      }),
    ).toEqual([]);
    expect(validator.hasSchema('v1', 'ConfigMap')).toBe(false);
    expect(validator.hasSchema('ray.io/v1', 'RayCluster')).toBe(true);
    expect(
      validator.validate({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
      })[0].field,
    ).toBe('kind');
  });
});

import {
  decodeProtobufObject,
  encodeProtobufObject,
  ProtobufDecodeError,
  protoTypeFor,
} from './protobuf';

describe('Kubernetes protobuf envelope', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web' },
      creationTimestamp: '2026-09-01T08:00:00Z',
      managedFields: [
        {
          manager: 'kubectl-create',
          operation: 'Update',
          apiVersion: 'apps/v1',
          time: '2026-09-01T08:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
      ],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 },
      },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              resources: { limits: { cpu: '500m', 'nvidia.com/gpu': '1' } },
            },
          ],
        },
      },
    },
  };

  it('round-trips an object through k8s\\0 + runtime.Unknown', () => {
    const wire = encodeProtobufObject(deployment)!;
    expect(wire.subarray(0, 4)).toEqual(Buffer.from('k8s\0', 'latin1'));
    expect(decodeProtobufObject(wire)).toEqual(deployment);
  });

  it('keeps meaningful zeros and drops the zero values Go writes for unset fields', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: '' },
      spec: { ports: [{ port: 80, targetPort: 8080, nodePort: 0 }] },
    };
    expect(decodeProtobufObject(encodeProtobufObject(service)!)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080 }] },
    });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      data: { token: Buffer.from('s3cr3t').toString('base64') },
    };
    expect(decodeProtobufObject(encodeProtobufObject(secret)!)).toEqual(secret);
  });

  it('refuses bodies without the magic prefix and kinds without a proto message', () => {
    expect(() => decodeProtobufObject(Buffer.from('{"kind":"x"}'))).toThrow(
      ProtobufDecodeError,
    );
    expect(
      protoTypeFor('kueue.x-k8s.io', 'v1beta2', 'Workload'),
    ).toBeUndefined();
    expect(
      encodeProtobufObject({ apiVersion: 'ray.io/v1', kind: 'RayCluster' }),
    ).toBeUndefined();
    expect(protoTypeFor('', 'v1', 'Status')?.fullName).toBe(
      '.k8s.io.apimachinery.pkg.apis.meta.v1.Status',
    );
  });
});

import { createHash } from 'node:crypto';

/** The ports of the head Service KubeRay creates for a RayCluster. */
export const RAY_PORTS = [
  { name: 'dashboard', port: 8265 },
  { name: 'client', port: 10001 },
  { name: 'gcs-server', port: 6379 },
  { name: 'metrics', port: 8080 },
  { name: 'serve', port: 8000 },
];

/** The head Service KubeRay creates (`<name>-head-svc`, dashboard 8265), its cluster IP
 * derived from the name so every run of the emulators gives the same one. */
export function rayHeadService(name: string, ns: string, svcName: string) {
  const h = createHash('sha256').update(name).digest();
  const headIp = `10.52.${h[0] % 200}.${10 + (h[1] % 200)}`;
  return {
    headIp,
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: svcName,
        namespace: ns,
        labels: {
          'ray.io/cluster': name,
          'ray.io/node-type': 'head',
          'app.kubernetes.io/created-by': 'kuberay-operator',
        },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: headIp,
        selector: { 'ray.io/cluster': name, 'ray.io/node-type': 'head' },
        ports: RAY_PORTS.map(p => ({
          ...p,
          protocol: 'TCP',
          targetPort: p.port,
        })),
      },
    } as Record<string, any>,
  };
}

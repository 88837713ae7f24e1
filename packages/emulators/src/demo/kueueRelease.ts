import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { findCrdDirectory } from '../kube/crds/catalog';

/**
 * Offline stand-in for Kueue's pinned release manifest
 * (`https://github.com/kubernetes-sigs/kueue/releases/download/v0.19.2/manifests.yaml`), so
 * `gpu-cluster apply --kueue-manifest FILE` (and the template's kubectl step) runs against the
 * Kubernetes emulator in tests and in the embedded default. The emulators CLI writes it next
 * to the kubeconfig.
 *
 * It holds what the apply step depends on: the `kueue-system` Namespace, the nine Kueue v0.19.2
 * CRDs (the upstream files the emulator vendors, read from there rather than copied twice), the
 * controller's ServiceAccount and the `kueue-controller-manager` Deployment that
 * `kubectl rollout status` waits for. The real release manifest also carries the RBAC roles and
 * bindings, the webhook Service and Mutating/ValidatingWebhookConfigurations, the visibility
 * APIService and the controller's ConfigMap; production always applies that real file (from the
 * URL, or a local copy given with `--kueue-manifest`), never this one.
 */
export const KUEUE_STAND_IN_VERSION = 'v0.19.2';
export const KUEUE_STAND_IN_IMAGE = `registry.k8s.io/kueue/kueue:${KUEUE_STAND_IN_VERSION}`;

const labels = {
  'app.kubernetes.io/name': 'kueue',
  'app.kubernetes.io/component': 'controller',
  'control-plane': 'controller-manager',
};

export async function kueueReleaseStandInObjects(): Promise<
  Record<string, any>[]
> {
  const crdDir = path.join(findCrdDirectory(), 'kueue');
  const files = (await fs.readdir(crdDir))
    .filter(f => f.endsWith('.yaml'))
    .sort();
  const crds = await Promise.all(
    files.map(async f =>
      parse(await fs.readFile(path.join(crdDir, f), 'utf8')),
    ),
  );
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'kueue-system',
        labels: { ...labels, 'kubernetes.io/metadata.name': 'kueue-system' },
      },
    },
    ...crds,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'kueue-controller-manager',
        namespace: 'kueue-system',
        labels,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'kueue-controller-manager',
        namespace: 'kueue-system',
        labels,
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'control-plane': 'controller-manager' } },
        template: {
          metadata: {
            labels: { ...labels },
            annotations: {
              'kubectl.kubernetes.io/default-container': 'manager',
            },
          },
          spec: {
            serviceAccountName: 'kueue-controller-manager',
            securityContext: { runAsNonRoot: true },
            containers: [
              {
                name: 'manager',
                image: KUEUE_STAND_IN_IMAGE,
                args: [
                  '--config=/controller_manager_config.yaml',
                  '--zap-log-level=2',
                ],
                ports: [
                  {
                    name: 'webhook-server',
                    containerPort: 9443,
                    protocol: 'TCP',
                  },
                  { name: 'visibility', containerPort: 8082, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/readyz', port: 8081 } },
                livenessProbe: { httpGet: { path: '/healthz', port: 8081 } },
                resources: {
                  requests: { cpu: '500m', memory: '512Mi' },
                  limits: { cpu: '2', memory: '512Mi' },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

/** Writes the fixture as one multi-document YAML file (what `--kueue-manifest` reads). */
export async function writeKueueReleaseStandIn(file: string): Promise<string> {
  const objects = await kueueReleaseStandInObjects();
  await fs.writeFile(
    file,
    objects.map(o => stringify(o, { lineWidth: 0 })).join('---\n'),
  );
  return file;
}

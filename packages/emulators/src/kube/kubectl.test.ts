import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findCrdDirectory } from './crds/catalog';
import { startKubeEmulator, type KubeEmulator } from './KubeEmulator';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

const MANIFEST = `apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: a3-ultra
spec:
  nodeLabels:
    cloud.google.com/gke-accelerator: nvidia-h200-141gb
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: team-queue
  namespace: default
spec:
  clusterQueue: dws-cluster-queue
`;

describe('real kubectl against the emulator', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kubectl: (
    ...args: string[]
  ) => Promise<{ stdout: string; stderr: string }>;

  beforeAll(async () => {
    emu = await startKubeEmulator({ scenarios: { enabled: true } });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kube-emulator-'));
    await emu.writeKubeconfig(path.join(dir, 'kubeconfig'));
    await fs.writeFile(path.join(dir, 'manifest.yaml'), MANIFEST);
    kubectl = (...args) =>
      run(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], {
        timeout: 20_000,
      });
  });
  afterAll(async () => {
    await emu.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('applies server-side, re-applies as a no-op, gets, waits and deletes', async () => {
    const applied = await kubectl(
      'apply',
      '--server-side',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(applied.stdout).toContain(
      'resourceflavor.kueue.x-k8s.io/a3-ultra serverside-applied',
    );
    const rv1 = (
      await kubectl(
        'get',
        'rf',
        'a3-ultra',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      )
    ).stdout;
    await kubectl(
      'apply',
      '--server-side',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(
      (
        await kubectl(
          'get',
          'rf',
          'a3-ultra',
          '-o',
          'jsonpath={.metadata.resourceVersion}',
        )
      ).stdout,
    ).toBe(rv1);

    const table = (await kubectl('get', 'localqueues', '-n', 'default')).stdout;
    expect(table).toMatch(/NAME\s+CLUSTERQUEUE/);
    expect(table).toContain('team-queue');

    // The scripted Kueue controller marks a LocalQueue whose ClusterQueue is missing inactive.
    const waited = kubectl(
      'wait',
      '--for=condition=Active=False',
      'localqueue/team-queue',
      '-n',
      'default',
      '--timeout=15s',
    );
    await expect(waited).resolves.toMatchObject({
      stdout: expect.stringContaining('condition met'),
    });

    await fs.writeFile(
      path.join(dir, 'invalid.yaml'),
      'apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata:\n  name: bad\nspec:\n  admissionChecksStrategy:\n    admissionChecks:\n    - onFlavors: [a3-ultra]\n',
    );
    await expect(
      kubectl('apply', '--server-side', '-f', path.join(dir, 'invalid.yaml')),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'spec.admissionChecksStrategy.admissionChecks[0].name: Required value',
      ),
    });

    const deleted = await kubectl(
      'delete',
      '-f',
      path.join(dir, 'manifest.yaml'),
    );
    expect(deleted.stdout).toContain('"a3-ultra" deleted');
    await expect(kubectl('get', 'rf', 'a3-ultra')).rejects.toMatchObject({
      stderr: expect.stringContaining('NotFound'),
    });
  }, 60_000);
});

describe('real kubectl: typed commands speak protobuf', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kubectl: (
    ...args: string[]
  ) => Promise<{ stdout: string; stderr: string }>;

  beforeAll(async () => {
    emu = await startKubeEmulator({ scenarios: { enabled: false } });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kube-emulator-typed-'));
    await emu.writeKubeconfig(path.join(dir, 'kubeconfig'));
    kubectl = (...args) =>
      run(
        KUBECTL,
        [
          '--kubeconfig',
          path.join(dir, 'kubeconfig'),
          '--cache-dir',
          path.join(dir, 'cache'),
          ...args,
        ],
        { timeout: 20_000 },
      );
  });
  afterAll(async () => {
    await emu.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates, labels, annotates and scales built-in kinds, as against a real API server', async () => {
    // kubectl sends these bodies as application/vnd.kubernetes.protobuf (the real server accepts them).
    const verbose = await kubectl('create', 'namespace', 'typed', '-v=8');
    expect(verbose.stdout).toContain('namespace/typed created');
    expect(verbose.stderr).toContain(
      'Content-Type: application/vnd.kubernetes.protobuf',
    );
    for (const [args, line] of [
      [
        ['create', 'configmap', 'cm', '--from-literal=a=b'],
        'configmap/cm created',
      ],
      [
        ['create', 'secret', 'generic', 's', '--from-literal=k=v'],
        'secret/s created',
      ],
      [['create', 'job', 'j', '--image=busybox'], 'job.batch/j created'],
      [
        ['create', 'deployment', 'd', '--image=nginx', '--replicas=2'],
        'deployment.apps/d created',
      ],
      [
        ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'],
        'service/svc created',
      ],
      [['create', 'serviceaccount', 'sa'], 'serviceaccount/sa created'],
      [
        ['create', 'role', 'r', '--verb=get', '--resource=pods'],
        'role.rbac.authorization.k8s.io/r created',
      ],
      [
        ['create', 'rolebinding', 'rb', '--role=r', '--user=u'],
        'rolebinding.rbac.authorization.k8s.io/rb created',
      ],
      [['label', 'configmap', 'cm', 'team=ml'], 'configmap/cm labeled'],
      [['annotate', 'configmap', 'cm', 'note=hi'], 'configmap/cm annotated'],
      [
        ['scale', 'deployment', 'd', '--replicas=3'],
        'deployment.apps/d scaled',
      ],
    ] as const) {
      const result = await kubectl(...args, '-n', 'typed');
      expect(result.stdout).toContain(line);
    }
    expect(
      (
        await kubectl(
          'get',
          'configmap',
          'cm',
          '-n',
          'typed',
          '-o',
          'jsonpath={.data.a} {.metadata.labels.team} {.metadata.annotations.note}',
        )
      ).stdout,
    ).toBe('b ml hi');
    expect(
      (
        await kubectl(
          'get',
          'secret',
          's',
          '-n',
          'typed',
          '-o',
          'jsonpath={.data.k}',
        )
      ).stdout,
    ).toBe(Buffer.from('v').toString('base64'));
    expect(
      (
        await kubectl(
          'get',
          'deployment',
          'd',
          '-n',
          'typed',
          '-o',
          'jsonpath={.spec.replicas}',
        )
      ).stdout,
    ).toBe('3');
    expect(
      (await kubectl('get', 'service', 'svc', '-n', 'typed', '-o', 'json'))
        .stdout,
    ).not.toContain('nodePort');
    // The server still refuses what a real one refuses, whatever the encoding.
    await expect(
      kubectl('create', 'configmap', 'cm', '-n', 'typed', '--from-literal=a=c'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('configmaps "cm" already exists'),
    });
    await expect(
      kubectl('create', 'configmap', 'Bad_Name', '-n', 'typed'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'metadata.name: Invalid value: "Bad_Name"',
      ),
    });
    await expect(
      kubectl('scale', 'deployment', 'missing', '-n', 'typed', '--replicas=1'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('deployments.apps "missing" not found'),
    });
  }, 60_000);
});

const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.gpu-platform.dev
spec:
  group: example.gpu-platform.dev
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    listKind: WidgetList
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      additionalPrinterColumns:
        - name: Size
          type: integer
          jsonPath: .spec.size
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size:
                  type: integer
                  minimum: 1
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
`;

const OPERATOR_MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: widget-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: widget-controller
  namespace: widget-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widget-manager
rules:
  - apiGroups: [example.gpu-platform.dev]
    resources: [widgets, widgets/status]
    verbs: [get, list, watch, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: widget-manager
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: widget-manager
subjects:
  - kind: ServiceAccount
    name: widget-controller
    namespace: widget-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: leader-election
  namespace: widget-system
rules:
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [get, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: leader-election
  namespace: widget-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: leader-election
subjects:
  - kind: ServiceAccount
    name: widget-controller
    namespace: widget-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: widget-config
  namespace: widget-system
data:
  config.yaml: "leaderElection: true"
---
apiVersion: v1
kind: Service
metadata:
  name: widget-webhook
  namespace: widget-system
spec:
  selector:
    app: widget-controller
  ports:
    - port: 443
      targetPort: 9443
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: widget-validating
webhooks:
  - name: vwidget.example.gpu-platform.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        name: widget-webhook
        namespace: widget-system
        path: /validate
    rules:
      - apiGroups: [example.gpu-platform.dev]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [widgets]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: widget-mutating
webhooks:
  - name: mwidget.example.gpu-platform.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      service:
        name: widget-webhook
        namespace: widget-system
        path: /mutate
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.visibility.example.gpu-platform.dev
spec:
  group: visibility.example.gpu-platform.dev
  version: v1
  groupPriorityMinimum: 100
  versionPriority: 100
  service:
    name: widget-webhook
    namespace: widget-system
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: widget-dashboard
  namespace: widget-system
spec:
  defaultBackend:
    service:
      name: widget-webhook
      port:
        number: 443
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: widget-controller
  namespace: widget-system
spec:
  replicas: 1
  selector:
    matchLabels:
      app: widget-controller
  template:
    metadata:
      labels:
        app: widget-controller
    spec:
      serviceAccountName: widget-controller
      containers:
        - name: manager
          image: registry.example/widget-controller:v1
`;

describe('real kubectl: operator installs (CRDs, RBAC, webhooks, Deployment rollout)', () => {
  let emu: KubeEmulator;
  let dir: string;
  let kubectl: (
    ...args: string[]
  ) => Promise<{ stdout: string; stderr: string }>;
  const file = async (name: string, text: string) => {
    const target = path.join(dir, name);
    await fs.writeFile(target, text);
    return target;
  };

  beforeAll(async () => {
    // Real time: `kubectl rollout status` watches while the scripted controller finishes the rollout.
    emu = await startKubeEmulator({
      scenarios: { timings: { deploymentReadyMs: 1500 }, tickIntervalMs: 100 },
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kube-emulator-operator-'));
    await emu.writeKubeconfig(path.join(dir, 'kubeconfig'));
    kubectl = (...args) =>
      run(
        KUBECTL,
        [
          '--kubeconfig',
          path.join(dir, 'kubeconfig'),
          // A private discovery cache: the served resources change during these tests.
          '--cache-dir',
          path.join(dir, 'cache'),
          ...args,
        ],
        { timeout: 30_000 },
      );
  });
  afterAll(async () => {
    await emu.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves a CRD applied server-side, validates its objects and stops serving it on delete', async () => {
    const crd = await file('crd.yaml', WIDGET_CRD);
    const applied = await kubectl('apply', '--server-side', '-f', crd);
    expect(applied.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.gpu-platform.dev serverside-applied',
    );
    await kubectl(
      'wait',
      '--for=condition=Established',
      'crd/widgets.example.gpu-platform.dev',
      '--timeout=10s',
    );
    const widget = await file(
      'widget.yaml',
      'apiVersion: example.gpu-platform.dev/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  size: 3\n',
    );
    await kubectl('apply', '--server-side', '-f', widget);
    expect((await kubectl('get', 'widgets', '-n', 'default')).stdout).toMatch(
      /NAME\s+SIZE\s+AGE\nw1\s+3\s+/,
    );
    const invalid = await file(
      'invalid-widget.yaml',
      'apiVersion: example.gpu-platform.dev/v1\nkind: Widget\nmetadata:\n  name: w2\n  namespace: default\nspec:\n  size: 0\n',
    );
    await expect(
      kubectl('apply', '--server-side', '-f', invalid),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
      ),
    });

    await kubectl('delete', '-f', crd);
    // kubectl still maps the kind from its discovery cache; the server no longer serves it.
    await expect(
      kubectl('get', 'widgets', '-n', 'default'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'Unable to list "example.gpu-platform.dev/v1, Resource=widgets": the server could not find the requested resource',
      ),
    });
    // Re-created, it starts empty: deleting the CRD deleted its objects.
    await kubectl('apply', '--server-side', '-f', crd);
    expect(
      (await kubectl('get', 'widgets', '-A', '-o', 'name')).stdout.trim(),
    ).toBe('');
  }, 60_000);

  it("rejects a malformed CRD with the API server's field errors", async () => {
    const bad = await file(
      'bad-crd.yaml',
      WIDGET_CRD.replace('name: widgets.example', 'name: gadgets.example')
        .replace('scope: Namespaced', 'scope: Global')
        .replace('storage: true', 'storage: false'),
    );
    const error = await kubectl('apply', '--server-side', '-f', bad).catch(
      e => e,
    );
    expect(error.stderr).toContain(
      'metadata.name: Invalid value: "gadgets.example.gpu-platform.dev": must be spec.names.plural+"."+spec.group',
    );
    expect(error.stderr).toContain(
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    );
    expect(error.stderr).toContain(
      'must have exactly one version marked as storage version',
    );
  });

  it('accepts a vendored Kueue CRD it already serves, re-applying as a no-op', async () => {
    const kueueCrd = path.join(
      findCrdDirectory(),
      'kueue/kueue.x-k8s.io_clusterqueues.yaml',
    );
    const rv = () =>
      kubectl(
        'get',
        'crd',
        'clusterqueues.kueue.x-k8s.io',
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      ).then(r => r.stdout);
    const applied = await kubectl(
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      kueueCrd,
    );
    expect(applied.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/clusterqueues.kueue.x-k8s.io serverside-applied',
    );
    const first = await rv();
    await kubectl(
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      kueueCrd,
    );
    expect(await rv()).toBe(first);
    // Still served with its schema: v1beta2 has no spec.admissionChecks.
    const cq = await file(
      'cq.yaml',
      'apiVersion: kueue.x-k8s.io/v1beta2\nkind: ClusterQueue\nmetadata:\n  name: cq\nspec:\n  admissionChecks: [dws]\n',
    );
    await expect(
      kubectl('apply', '--server-side', '-f', cq),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown field "spec.admissionChecks"'),
    });
  }, 60_000);

  it('applies an operator manifest (RBAC, webhooks, APIService) and waits for its Deployment', async () => {
    const manifest = await file('operator.yaml', OPERATOR_MANIFEST);
    const applied = await kubectl('apply', '--server-side', '-f', manifest);
    for (const line of [
      'namespace/widget-system serverside-applied',
      'serviceaccount/widget-controller serverside-applied',
      'clusterrole.rbac.authorization.k8s.io/widget-manager serverside-applied',
      'clusterrolebinding.rbac.authorization.k8s.io/widget-manager serverside-applied',
      'role.rbac.authorization.k8s.io/leader-election serverside-applied',
      'rolebinding.rbac.authorization.k8s.io/leader-election serverside-applied',
      'configmap/widget-config serverside-applied',
      'service/widget-webhook serverside-applied',
      'validatingwebhookconfiguration.admissionregistration.k8s.io/widget-validating serverside-applied',
      'mutatingwebhookconfiguration.admissionregistration.k8s.io/widget-mutating serverside-applied',
      'apiservice.apiregistration.k8s.io/v1.visibility.example.gpu-platform.dev serverside-applied',
      'ingress.networking.k8s.io/widget-dashboard serverside-applied',
      'deployment.apps/widget-controller serverside-applied',
    ])
      expect(applied.stdout).toContain(line);

    const rollout = await kubectl(
      'rollout',
      'status',
      '--namespace',
      'widget-system',
      'deployment/widget-controller',
      '--timeout=20s',
    );
    expect(rollout.stdout).toContain(
      'deployment "widget-controller" successfully rolled out',
    );
    expect(
      (
        await kubectl(
          'get',
          'deployment',
          'widget-controller',
          '-n',
          'widget-system',
          '-o',
          'jsonpath={.status.availableReplicas}/{.status.conditions[?(@.type=="Progressing")].reason}',
        )
      ).stdout,
    ).toBe('1/NewReplicaSetAvailable');

    // A new template is a new generation: rollout status waits for it again.
    await kubectl(
      'set',
      'image',
      '-n',
      'widget-system',
      'deployment/widget-controller',
      'manager=registry.example/widget-controller:v2',
    );
    const second = await kubectl(
      'rollout',
      'status',
      '--namespace',
      'widget-system',
      'deployment/widget-controller',
      '--timeout=20s',
    );
    expect(second.stdout).toContain('old replicas are pending termination');
    expect(second.stdout).toContain('successfully rolled out');
  }, 60_000);
});

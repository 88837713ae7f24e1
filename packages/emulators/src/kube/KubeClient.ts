import { randomUUID } from 'node:crypto';
import { ObjectStore } from './store/ObjectStore';
import {
  apiVersionOf,
  type ResourceRegistry,
  type ResourceType,
} from './resources/registry';

/**
 * In-process object access for fixtures and scripted controllers. Writes go through the same
 * store (so watches see them) and CRD objects are schema-checked, but no HTTP, auth or faults.
 */
export class KubeClient {
  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
  ) {}

  typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.registry.byKind(apiVersion, kind);
    if (!type) throw new Error(`No resource serves ${apiVersion} ${kind}`);
    return type;
  }

  get(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Record<string, any> | undefined {
    const type = this.typeOf(apiVersion, kind);
    const obj = this.store.get(
      type.key,
      type.namespaced ? namespace : undefined,
      name,
    );
    if (obj) obj.apiVersion = apiVersion;
    return obj;
  }

  list(
    apiVersion: string,
    kind: string,
    namespace?: string,
  ): Record<string, any>[] {
    const type = this.typeOf(apiVersion, kind);
    return this.store
      .list(type.key, namespace)
      .map(o => ({ ...o, apiVersion }));
  }

  private check(type: ResourceType, obj: Record<string, any>) {
    const version = obj.apiVersion.includes('/')
      ? obj.apiVersion.split('/')[1]
      : obj.apiVersion;
    const validator = this.registry.validatorFor(type, version);
    if (!validator) return;
    const prepared = validator.prepare(obj);
    const problems = [
      ...prepared.issues.map(i => `${i.field}: ${i.message}`),
      ...prepared.unknownFields.map(f => `unknown field ${f}`),
    ];
    if (problems.length) {
      throw new Error(
        `${obj.kind} ${obj.metadata.name} is invalid: ${problems.join('; ')}`,
      );
    }
  }

  /** Creates or replaces (status included) an object. */
  upsert(obj: Record<string, any>): Record<string, any> {
    const type = this.typeOf(obj.apiVersion, obj.kind);
    const copy = structuredClone(obj);
    copy.metadata = { ...copy.metadata };
    if (!type.namespaced) delete copy.metadata.namespace;
    this.check(type, copy);
    const existing = this.store.get(
      type.key,
      copy.metadata.namespace,
      copy.metadata.name,
    );
    if (!existing) return this.store.create(type.key, copy);
    copy.metadata = { ...existing.metadata, ...copy.metadata };
    const { metadata: _a, status: _b, ...spec } = copy;
    const { metadata: _c, status: _d, ...oldSpec } = existing;
    return this.store.update(
      type.key,
      copy,
      JSON.stringify(spec) !== JSON.stringify(oldSpec),
    );
  }

  /** Read-modify-write; a no-op when `mutate` leaves the object unchanged. */
  modify(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    mutate: (obj: Record<string, any>) => void,
  ) {
    const existing = this.get(apiVersion, kind, name, namespace);
    if (!existing)
      throw new Error(`${kind} ${namespace ?? ''}/${name} not found`);
    const next = structuredClone(existing);
    mutate(next);
    if (JSON.stringify(next) === JSON.stringify(existing)) return existing;
    return this.upsert(next);
  }

  delete(apiVersion: string, kind: string, name: string, namespace?: string) {
    const type = this.typeOf(apiVersion, kind);
    return this.store.delete(
      type.key,
      type.namespaced ? namespace : undefined,
      name,
    );
  }

  /** Namespaces every cluster has, the `kubernetes` Service and the CRD objects themselves. */
  seedDefaults() {
    for (const name of [
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
    ]) {
      this.upsert({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    for (const namespace of ['default', 'kube-system']) {
      this.upsert({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace },
      });
    }
    this.upsert({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        ports: [
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 },
        ],
      },
    });
    for (const type of this.registry.all()) {
      if (!type.crd) continue;
      const crd = structuredClone(type.crd.crd);
      crd.metadata = { name: crd.metadata.name, uid: randomUUID() };
      crd.status = {
        acceptedNames: crd.spec.names,
        storedVersions: type.crd.versions
          .filter(v => v.storage)
          .map(v => v.name),
        conditions: [
          {
            type: 'NamesAccepted',
            status: 'True',
            reason: 'NoConflicts',
            message: 'no conflicts found',
            lastTransitionTime: this.store.now(),
          },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
            lastTransitionTime: this.store.now(),
          },
        ],
      };
      this.upsert({
        ...crd,
        apiVersion: apiVersionOf('apiextensions.k8s.io', 'v1'),
      });
    }
  }
}

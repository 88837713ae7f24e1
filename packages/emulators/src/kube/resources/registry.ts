import type { CrdDefinition, PrinterColumn } from '../crds/catalog';
import {
  compileVersionValidators,
  type VersionValidator,
  type CrdValidator,
} from '../validation/CrdValidator';

/** One REST resource the emulator serves (a built-in kind or a vendored CRD). */
export interface ResourceType {
  group: string;
  /** Served versions, preferred (storage) first. */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  hasStatus: boolean;
  /** Extra table columns per version (CRD additionalPrinterColumns). */
  printerColumns: Record<string, PrinterColumn[]>;
  crd?: CrdDefinition;
  /** `group/plural`, the storage key. */
  key: string;
  /** Validators of a CRD applied through the API (vendored CRDs use the shared CrdValidator). */
  validators?: Map<string, VersionValidator>;
  /** Serves the `scale` subresource (autoscaling/v1 Scale over spec.replicas). */
  scalable?: boolean;
}

/** What field selectors on `type` at `version` may name (see `fieldSelectorMatcher`). */
export function fieldSelectableOf(type: ResourceType, version: string) {
  const crdVersion = type.crd?.crd?.spec?.versions?.find(
    (v: any) => v.name === version,
  );
  return {
    group: type.group,
    kind: type.kind,
    namespaced: type.namespaced,
    custom: Boolean(type.crd),
    selectableFields: (crdVersion?.selectableFields ?? []).map((f: any) =>
      String(f.jsonPath).replace(/^\./, ''),
    ),
  };
}

export const VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

type BuiltinSpec = [
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  hasStatus: boolean,
  shortNames?: string[],
  categories?: string[],
];

/** The core kinds the product and kubectl need. */
const BUILTINS: BuiltinSpec[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, true, ['ns']],
  ['', 'v1', 'Node', 'nodes', false, true, ['no']],
  ['', 'v1', 'Pod', 'pods', true, true, ['po'], ['all']],
  ['', 'v1', 'Service', 'services', true, true, ['svc'], ['all']],
  ['', 'v1', 'Endpoints', 'endpoints', true, false, ['ep']],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, false, ['sa']],
  ['', 'v1', 'ConfigMap', 'configmaps', true, false, ['cm']],
  ['', 'v1', 'Secret', 'secrets', true, false],
  ['', 'v1', 'Event', 'events', true, false, ['ev']],
  ['', 'v1', 'PodTemplate', 'podtemplates', true, false],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, true, ['ds'], ['all']],
  ['apps', 'v1', 'Deployment', 'deployments', true, true, ['deploy'], ['all']],
  ['batch', 'v1', 'Job', 'jobs', true, true, [], ['all']],
  ['events.k8s.io', 'v1', 'Event', 'events', true, false, ['ev']],
  [
    'networking.k8s.io',
    'v1',
    'NetworkPolicy',
    'networkpolicies',
    true,
    false,
    ['netpol'],
  ],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, true, ['ing']],
  [
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    true,
    ['crd', 'crds'],
  ],
  // Stored as plain objects so operator release manifests (Kueue's) apply: RBAC is not enforced,
  // webhooks are not called and APIServices are not proxied.
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, false],
  [
    'rbac.authorization.k8s.io',
    'v1',
    'ClusterRole',
    'clusterroles',
    false,
    false,
  ],
  [
    'rbac.authorization.k8s.io',
    'v1',
    'RoleBinding',
    'rolebindings',
    true,
    false,
  ],
  [
    'rbac.authorization.k8s.io',
    'v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
    false,
  ],
  [
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
    false,
  ],
  [
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
    false,
  ],
  ['apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, true],
];

/** Built-in resources with a `scale` subresource (kubectl scale). */
const SCALABLE = new Set(['apps/deployments']);

export const CRD_RESOURCE_KEY =
  'apiextensions.k8s.io/customresourcedefinitions';

function crdType(def: CrdDefinition): ResourceType {
  const served = def.versions
    .filter(v => v.served)
    .sort((a, b) => Number(b.storage) - Number(a.storage));
  return {
    group: def.group,
    versions: served.map(v => v.name),
    kind: def.kind,
    listKind: def.listKind,
    plural: def.plural,
    singular: def.singular,
    shortNames: def.shortNames,
    categories: def.categories,
    namespaced: def.namespaced,
    hasStatus: served.some(v => v.hasStatus),
    printerColumns: Object.fromEntries(
      served.map(v => [v.name, v.printerColumns]),
    ),
    crd: def,
    key: `${def.group}/${def.plural}`,
  };
}

export class ResourceRegistry {
  private types: ResourceType[] = [];
  /** Bumped whenever the served resources change (CRDs applied or deleted): discovery caches key on it. */
  revision = 0;

  constructor(readonly validator: CrdValidator) {
    for (const [
      group,
      version,
      kind,
      plural,
      namespaced,
      hasStatus,
      shortNames,
      categories,
    ] of BUILTINS) {
      this.types.push({
        group,
        versions: [version],
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: shortNames ?? [],
        categories: categories ?? [],
        namespaced,
        hasStatus,
        printerColumns: {},
        key: `${group}/${plural}`,
        scalable: SCALABLE.has(`${group}/${plural}`),
      });
    }
    for (const def of validator.definitions()) {
      this.types.push(crdType(def));
    }
  }

  /**
   * Serves a CRD written through the API, replacing the resource of the same group and plural. A
   * definition whose spec equals the served one keeps it (and its compiled validators).
   */
  serveCrd(def: CrdDefinition): ResourceType {
    const key = `${def.group}/${def.plural}`;
    const current = this.types.find(t => t.key === key);
    if (
      current?.crd &&
      JSON.stringify(current.crd.crd.spec) === JSON.stringify(def.crd.spec)
    ) {
      return current;
    }
    const type = { ...crdType(def), validators: compileVersionValidators(def) };
    this.types = [...this.types.filter(t => t.key !== key), type];
    this.revision++;
    return type;
  }

  /** Stops serving a CRD's resource (its CustomResourceDefinition was deleted). */
  unserveCrd(group: string, plural: string): ResourceType | undefined {
    const key = `${group}/${plural}`;
    const current = this.types.find(t => t.key === key && t.crd);
    if (!current) return undefined;
    this.types = this.types.filter(t => t !== current);
    this.revision++;
    return current;
  }

  /** The CRD-backed resource of a group and plural (whatever versions it serves). */
  crdResource(group: string, plural: string): ResourceType | undefined {
    return this.types.find(
      t => t.crd && t.group === group && t.plural === plural,
    );
  }

  all(): ResourceType[] {
    return this.types;
  }

  find(
    group: string,
    version: string,
    plural: string,
  ): ResourceType | undefined {
    return this.types.find(
      t =>
        t.group === group &&
        t.plural === plural &&
        t.versions.includes(version),
    );
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/')
      ? apiVersion.split('/')
      : ['', apiVersion];
    return this.types.find(
      t => t.group === group && t.kind === kind && t.versions.includes(version),
    );
  }

  /** Groups in discovery order: the legacy core group first, then by name. */
  groups(): { name: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      const versions = groups.get(t.group) ?? [];
      for (const v of t.versions) {
        if (!versions.includes(v)) versions.push(v);
      }
      groups.set(t.group, versions);
    }
    return [...groups.entries()].map(([name, versions]) => ({
      name,
      versions,
    }));
  }

  validatorFor(
    type: ResourceType,
    version: string,
  ): VersionValidator | undefined {
    if (type.validators) return type.validators.get(version);
    return type.crd
      ? this.validator.versionValidator(type.group, version, type.kind)
      : undefined;
  }
}

export const apiVersionOf = (group: string, version: string) =>
  group ? `${group}/${version}` : version;

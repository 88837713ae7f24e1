import { randomBytes } from 'node:crypto';
import { mergePatch, jsonPatch } from '../apply/patch';
import { serverSideApply } from '../apply/serverSideApply';
import { ObjectStore } from '../store/ObjectStore';
import {
  fieldSelectorMatcher,
  labelSelectorMatcher,
  SelectorParseError,
} from '../store/selectors';
import { crdDefinitionOf } from '../crds/catalog';
import {
  apiVersionOf,
  CRD_RESOURCE_KEY,
  type ResourceRegistry,
  type ResourceType,
  fieldSelectableOf,
} from '../resources/registry';
import type {
  FieldValidation,
  ValidationIssue,
} from '../validation/CrdValidator';
import { crdIssues, crdStatus } from './crdLifecycle';
import type { ResourceRequest } from './request';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  expired,
  invalid,
  namespaceNotFound,
  notFound,
  unsupportedMediaType,
} from './status';

export interface WriteResult {
  status: number;
  body: any;
  warnings: string[];
}

const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Everything but metadata and status: a change here bumps metadata.generation. */
const specPart = (obj: Record<string, any>) => {
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
};

/** Equality ignoring the bookkeeping the server owns. */
const sameContent = (a: Record<string, any>, b: Record<string, any>) => {
  const strip = (o: Record<string, any>) => {
    const copy = structuredClone(o);
    delete copy.metadata.resourceVersion;
    delete copy.metadata.generation;
    for (const m of copy.metadata.managedFields ?? []) delete m.time;
    return JSON.stringify(copy, Object.keys(flatKeys(copy)).sort());
  };
  return strip(a) === strip(b);
};

function flatKeys(
  obj: any,
  out: Record<string, true> = {},
): Record<string, true> {
  if (Array.isArray(obj)) obj.forEach(v => flatKeys(v, out));
  else if (isObject(obj))
    for (const [k, v] of Object.entries(obj)) {
      out[k] = true;
      flatKeys(v, out);
    }
  return out;
}

/**
 * A mutating + validating admission step run on every API write (what an admission webhook or
 * plugin does): it may change the object and returns a denial message to refuse it.
 */
export type AdmissionHook = (
  obj: Record<string, any>,
  operation: 'CREATE' | 'UPDATE',
) => string | undefined;

export class ResourceHandlers {
  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
    private readonly admissionHooks: AdmissionHook[] = [],
  ) {}

  /** Admission webhooks answer 403 with the webhook's message, as the API server relays it. */
  private runAdmissionHooks(
    obj: Record<string, any>,
    operation: 'CREATE' | 'UPDATE',
  ) {
    for (const hook of this.admissionHooks) {
      const denied = hook(obj, operation);
      if (denied) throw new ApiError(403, 'Forbidden', denied);
    }
  }

  private ref(type: ResourceType) {
    return { group: type.group, plural: type.plural, kind: type.kind };
  }

  /** Sets apiVersion/kind to the version the client asked for (stored objects keep the storage version). */
  present(type: ResourceType, version: string, obj: Record<string, any>) {
    obj.apiVersion = apiVersionOf(type.group, version);
    obj.kind = type.kind;
    return obj;
  }

  get(req: ResourceRequest) {
    const obj = this.store.get(req.type.key, req.namespace, req.name!);
    if (!obj) throw notFound(this.ref(req.type), req.name!);
    return this.present(req.type, req.version, obj);
  }

  list(req: ResourceRequest, query: URLSearchParams) {
    let labelMatch;
    let fieldMatch;
    try {
      labelMatch = labelSelectorMatcher(query.get('labelSelector'));
      fieldMatch = fieldSelectorMatcher(
        query.get('fieldSelector'),
        fieldSelectableOf(req.type, req.version),
      );
    } catch (e) {
      if (e instanceof SelectorParseError) throw badRequest(e.message);
      throw e;
    }
    let items = this.store
      .list(req.type.key, req.namespace)
      .filter(o => labelMatch(o) && fieldMatch(o));
    const resourceVersion = String(this.store.currentRevision);
    let start: string | undefined;
    const token = query.get('continue');
    if (token) {
      let decoded: { rv: number; start: string };
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (decoded.rv < this.store.oldestWatchableRevision) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      start = decoded.start;
      items = items.filter(
        o => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > start!,
      );
    }
    const limit = Number(query.get('limit') ?? 0);
    let continueToken: string | undefined;
    let remaining: number | undefined;
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1].metadata;
      continueToken = Buffer.from(
        JSON.stringify({
          rv: this.store.currentRevision,
          start: `${last.namespace ?? ''}/${last.name}`,
        }),
      ).toString('base64');
    }
    return {
      items: items.map(o => this.present(req.type, req.version, o)),
      resourceVersion,
      continueToken,
      remaining,
    };
  }

  private ensureNamespace(type: ResourceType, namespace: string | undefined) {
    if (
      type.namespaced &&
      namespace !== undefined &&
      !this.store.get('/namespaces', undefined, namespace)
    ) {
      throw namespaceNotFound(namespace);
    }
  }

  /** Type, identity and schema checks shared by every write; returns warnings. */
  private admit(
    req: ResourceRequest,
    obj: Record<string, any>,
    fieldValidation: FieldValidation,
  ): string[] {
    const { type } = req;
    const expectedApiVersion = apiVersionOf(type.group, req.version);
    if (!isObject(obj))
      throw badRequest('the object provided is not a JSON object');
    if (obj.apiVersion === undefined) obj.apiVersion = expectedApiVersion;
    if (obj.kind === undefined) obj.kind = type.kind;
    if (obj.apiVersion !== expectedApiVersion || obj.kind !== type.kind) {
      const kindNote =
        obj.kind !== type.kind ? ` or kind (${obj.kind} vs ${type.kind})` : '';
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectedApiVersion})${kindNote}`,
      );
    }
    obj.metadata = isObject(obj.metadata) ? obj.metadata : {};
    const meta = obj.metadata;
    if (type.namespaced) {
      if (
        meta.namespace !== undefined &&
        req.namespace !== undefined &&
        meta.namespace !== req.namespace
      ) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = req.namespace ?? meta.namespace;
      if (!meta.namespace)
        throw badRequest('the namespace of the object is required');
    } else {
      delete meta.namespace;
    }
    const issues: ValidationIssue[] = [];
    if (!meta.name && meta.generateName) {
      meta.name = `${meta.generateName}${randomBytes(4)
        .toString('hex')
        .slice(0, 5)}`;
    }
    if (!meta.name) {
      issues.push({
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        type: 'FieldValueRequired',
      });
    } else if (!DNS1123_SUBDOMAIN.test(meta.name) || meta.name.length > 253) {
      issues.push({
        field: 'metadata.name',
        message: `Invalid value: "${meta.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        type: 'FieldValueInvalid',
      });
    }
    const warnings: string[] = [];
    const validator = this.registry.validatorFor(type, req.version);
    if (validator) {
      const prepared = validator.prepare(obj);
      issues.push(...prepared.issues);
      if (prepared.unknownFields.length > 0) {
        if (fieldValidation === 'Strict') {
          throw badRequest(
            `${type.kind} in version "${req.version}" cannot be handled as a ${
              type.kind
            }: strict decoding error: ${prepared.unknownFields
              .map(f => `unknown field "${f}"`)
              .join(', ')}`,
          );
        }
        if (fieldValidation === 'Warn') {
          warnings.push(
            ...prepared.unknownFields.map(f => `unknown field "${f}"`),
          );
        }
      }
    }
    if (issues.length > 0)
      throw invalid(this.ref(type), meta.name ?? '', issues);
    return warnings;
  }

  create(
    req: ResourceRequest,
    body: any,
    fieldValidation: FieldValidation,
    dryRun: boolean,
  ): WriteResult {
    if (req.subresource)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'create is not supported on subresources',
      );
    const obj = structuredClone(body);
    const warnings = this.admit(req, obj, fieldValidation);
    this.ensureNamespace(req.type, obj.metadata.namespace);
    this.runAdmissionHooks(obj, 'CREATE');
    if (
      this.store.get(req.type.key, obj.metadata.namespace, obj.metadata.name)
    ) {
      throw alreadyExists(this.ref(req.type), obj.metadata.name);
    }
    for (const field of [
      'resourceVersion',
      'uid',
      'creationTimestamp',
      'generation',
      'deletionTimestamp',
    ]) {
      delete obj.metadata[field];
    }
    if (req.type.hasStatus && req.type.crd) delete obj.status;
    if (req.type.key === CRD_RESOURCE_KEY) this.admitCrd(obj, undefined);
    const created = dryRun ? obj : this.store.create(req.type.key, obj);
    if (!dryRun && req.type.key === CRD_RESOURCE_KEY) this.serveCrd(created);
    return {
      status: 201,
      body: this.present(req.type, req.version, created),
      warnings,
    };
  }

  /** PUT: optimistic concurrency on metadata.resourceVersion; status/spec split by subresource. */
  update(
    req: ResourceRequest,
    body: any,
    fieldValidation: FieldValidation,
    dryRun: boolean,
  ): WriteResult {
    const existing = this.store.get(req.type.key, req.namespace, req.name!);
    if (!existing) {
      if (req.subresource) throw notFound(this.ref(req.type), req.name!);
      return this.create(req, body, fieldValidation, dryRun);
    }
    const obj = structuredClone(body);
    if (obj?.metadata?.name !== undefined && obj.metadata.name !== req.name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${req.name})`,
      );
    }
    const rv = obj?.metadata?.resourceVersion;
    if (
      rv !== undefined &&
      rv !== '' &&
      rv !== existing.metadata.resourceVersion
    ) {
      throw conflict(this.ref(req.type), req.name!);
    }
    return this.write(req, existing, obj, fieldValidation, dryRun);
  }

  /** Stores `next` over `existing`, respecting the status subresource and finalizers. */
  private write(
    req: ResourceRequest,
    existing: Record<string, any>,
    next: any,
    fieldValidation: FieldValidation,
    dryRun: boolean,
  ): WriteResult {
    let merged: Record<string, any>;
    if (req.subresource === 'status') {
      merged = { ...existing, status: next?.status };
      if (next?.status === undefined) delete merged.status;
      merged.metadata = existing.metadata;
    } else {
      merged = structuredClone(next);
      if (req.type.hasStatus) {
        if (existing.status === undefined) delete merged.status;
        else merged.status = existing.status;
      }
    }
    merged.metadata = {
      ...merged.metadata,
      name: existing.metadata.name,
      namespace: existing.metadata.namespace,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      generation: existing.metadata.generation,
      resourceVersion: existing.metadata.resourceVersion,
      ...(existing.metadata.deletionTimestamp
        ? { deletionTimestamp: existing.metadata.deletionTimestamp }
        : {}),
    };
    const warnings = this.admit(
      { ...req, namespace: existing.metadata.namespace },
      merged,
      fieldValidation,
    );
    merged.apiVersion = existing.apiVersion;
    if (req.subresource !== 'status') {
      this.runAdmissionHooks(
        { ...merged, apiVersion: apiVersionOf(req.type.group, req.version) },
        'UPDATE',
      );
    }
    if (req.type.key === CRD_RESOURCE_KEY && req.subresource !== 'status')
      this.admitCrd(merged, existing.status);
    const presented = (o: Record<string, any>) =>
      this.present(req.type, req.version, o);
    if (sameContent({ ...merged, apiVersion: existing.apiVersion }, existing)) {
      return { status: 200, body: presented(existing), warnings };
    }
    if (dryRun) return { status: 200, body: presented(merged), warnings };
    if (
      merged.metadata.deletionTimestamp &&
      !(merged.metadata.finalizers?.length > 0)
    ) {
      const deleted = this.store.delete(
        req.type.key,
        existing.metadata.namespace,
        existing.metadata.name,
      );
      return { status: 200, body: presented(deleted!), warnings };
    }
    const bump =
      req.subresource !== 'status' && specPart(merged) !== specPart(existing);
    const updated = this.store.update(req.type.key, merged, bump);
    if (req.type.key === CRD_RESOURCE_KEY) this.serveCrd(updated);
    return { status: 200, body: presented(updated), warnings };
  }

  patch(
    req: ResourceRequest,
    contentType: string,
    body: any,
    query: URLSearchParams,
    fieldValidation: FieldValidation,
    dryRun: boolean,
  ): WriteResult {
    const type = contentType.split(';')[0].trim().toLowerCase();
    const existing = this.store.get(req.type.key, req.namespace, req.name!);
    if (
      type === 'application/apply-patch+yaml' ||
      type === 'application/apply-patch+cbor'
    ) {
      const manager = query.get('fieldManager');
      if (!manager)
        throw badRequest(
          'PATCH requests with application/apply-patch+yaml must set a fieldManager',
        );
      if (!isObject(body))
        throw badRequest('apply configuration must be an object');
      if (body.metadata?.name && body.metadata.name !== req.name) {
        throw badRequest(
          `the name of the object (${body.metadata.name}) does not match the name on the URL (${req.name})`,
        );
      }
      const applied = serverSideApply({
        existing,
        config: {
          ...body,
          metadata: { ...(body.metadata ?? {}), name: req.name },
        },
        manager,
        force: query.get('force') === 'true',
        apiVersion: apiVersionOf(req.type.group, req.version),
        time: this.store.now(),
        subresource: req.subresource === 'status' ? 'status' : undefined,
        resource: { group: req.type.group, plural: req.type.plural },
      });
      if (!existing) {
        if (req.subresource) throw notFound(this.ref(req.type), req.name!);
        const result = this.create(req, applied, fieldValidation, dryRun);
        return { ...result, status: 201 };
      }
      return this.write(req, existing, applied, fieldValidation, dryRun);
    }
    if (!existing) throw notFound(this.ref(req.type), req.name!);
    let patched: any;
    switch (type) {
      case 'application/merge-patch+json':
      case 'application/strategic-merge-patch+json':
        // Strategic merge is treated as a JSON merge patch (no patchMergeKey list merging).
        patched = mergePatch(existing, body);
        break;
      case 'application/json-patch+json':
        patched = jsonPatch(existing, body);
        break;
      default:
        throw unsupportedMediaType(type);
    }
    const rv = patched?.metadata?.resourceVersion;
    if (rv !== undefined && rv !== existing.metadata.resourceVersion) {
      throw conflict(this.ref(req.type), req.name!);
    }
    return this.write(req, existing, patched, fieldValidation, dryRun);
  }

  /** autoscaling/v1 Scale of an object with spec.replicas (apps/v1 Deployment's `scale`). */
  private toScale(obj: Record<string, any>) {
    const selector = obj.spec?.selector?.matchLabels ?? {};
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 1 },
      status: {
        replicas: obj.status?.replicas ?? 0,
        selector: Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  getScale(req: ResourceRequest) {
    const obj = this.store.get(req.type.key, req.namespace, req.name!);
    if (!obj) throw notFound(this.ref(req.type), req.name!);
    return this.toScale(obj);
  }

  /** PUT or PATCH of the scale subresource: only spec.replicas reaches the object. */
  writeScale(
    req: ResourceRequest,
    contentType: string | undefined,
    body: any,
    dryRun: boolean,
  ): WriteResult {
    const existing = this.store.get(req.type.key, req.namespace, req.name!);
    if (!existing) throw notFound(this.ref(req.type), req.name!);
    const current = this.toScale(existing);
    let scale: any = body;
    if (contentType !== undefined) {
      const type = contentType.split(';')[0].trim().toLowerCase();
      if (type === 'application/json-patch+json')
        scale = jsonPatch(current, body);
      else if (
        type === 'application/merge-patch+json' ||
        type === 'application/strategic-merge-patch+json'
      )
        scale = mergePatch(current, body);
      else throw unsupportedMediaType(type);
    }
    const rv = scale?.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion)
      throw conflict(this.ref(req.type), req.name!);
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw invalid(
        { group: 'autoscaling', plural: 'scale', kind: 'Scale' },
        req.name!,
        [
          {
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(
              replicas,
            )}: must be greater than or equal to 0`,
            type: 'FieldValueInvalid',
          },
        ],
      );
    }
    const next = structuredClone(existing);
    next.spec = { ...(next.spec ?? {}), replicas };
    const result = this.write(
      { ...req, subresource: undefined },
      existing,
      next,
      'Ignore',
      dryRun,
    );
    return { ...result, body: this.toScale(result.body) };
  }

  delete(req: ResourceRequest, body: any, dryRun: boolean): WriteResult {
    const existing = this.store.get(req.type.key, req.namespace, req.name!);
    if (!existing) throw notFound(this.ref(req.type), req.name!);
    const precondition = body?.preconditions;
    if (
      precondition?.resourceVersion &&
      precondition.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(this.ref(req.type), req.name!);
    }
    if (precondition?.uid && precondition.uid !== existing.metadata.uid) {
      throw conflict(this.ref(req.type), req.name!);
    }
    const present = (o: Record<string, any>) =>
      this.present(req.type, req.version, o);
    if (dryRun) return { status: 200, body: present(existing), warnings: [] };
    if (existing.metadata.finalizers?.length > 0) {
      if (!existing.metadata.deletionTimestamp) {
        existing.metadata.deletionTimestamp = this.store.now();
        const updated = this.store.update(req.type.key, existing, false);
        return { status: 202, body: present(updated), warnings: [] };
      }
      return { status: 202, body: present(existing), warnings: [] };
    }
    if (req.type.key === '/namespaces') {
      this.deleteNamespaceContents(req.name!);
    }
    if (req.type.key === CRD_RESOURCE_KEY) this.unserveCrd(existing);
    const deleted = this.store.delete(req.type.key, req.namespace, req.name!)!;
    return { status: 200, body: present(deleted), warnings: [] };
  }

  deleteCollection(req: ResourceRequest, query: URLSearchParams) {
    const { items, resourceVersion } = this.list(req, query);
    for (const item of items) {
      this.delete(
        {
          ...req,
          namespace: item.metadata.namespace,
          name: item.metadata.name,
        },
        undefined,
        false,
      );
    }
    return {
      kind: req.type.listKind,
      apiVersion: apiVersionOf(req.type.group, req.version),
      metadata: { resourceVersion },
      items,
    };
  }

  /** Structural checks and the status the apiextensions controllers publish; 422 on problems. */
  private admitCrd(
    crd: Record<string, any>,
    previousStatus: Record<string, any> | undefined,
  ) {
    const issues = crdIssues(crd);
    if (issues.length > 0)
      throw invalid(
        {
          group: 'apiextensions.k8s.io',
          plural: 'customresourcedefinitions',
          kind: 'CustomResourceDefinition',
        },
        crd.metadata.name ?? '',
        issues,
      );
    crd.status = crdStatus(crd, previousStatus, this.store.now());
  }

  /** A stored CRD is served at once (the emulator's Established is immediate). */
  private serveCrd(crd: Record<string, any>) {
    this.registry.serveCrd(crdDefinitionOf(crd, `api:${crd.metadata.name}`));
  }

  /** Deleting a CRD deletes every object of its resource, then stops serving it. */
  private unserveCrd(crd: Record<string, any>) {
    const type = this.registry.crdResource(
      crd.spec?.group,
      crd.spec?.names?.plural,
    );
    if (!type) return;
    for (const obj of this.store.list(type.key)) {
      this.store.delete(type.key, obj.metadata.namespace, obj.metadata.name);
    }
    this.registry.unserveCrd(type.group, type.plural);
  }

  private deleteNamespaceContents(namespace: string) {
    for (const type of this.registry.all()) {
      if (!type.namespaced) continue;
      for (const obj of this.store.list(type.key, namespace)) {
        this.store.delete(type.key, namespace, obj.metadata.name);
      }
    }
  }
}

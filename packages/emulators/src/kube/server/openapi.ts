import { createHash } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from '../resources/registry';

/**
 * OpenAPI v3 documents: one per group-version, with each resource's operations (tagged with
 * x-kubernetes-group-version-kind, listing the fieldValidation parameter so kubectl leaves
 * validation to the server) and the CRD schemas (for `kubectl explain`).
 */

const gvPath = (group: string, version: string) =>
  group ? `apis/${group}/${version}` : `api/${version}`;

function schemaName(type: ResourceType, version: string) {
  const reversed = type.group
    ? type.group.split('.').reverse().join('.')
    : 'io.k8s.api.core';
  return `${reversed}.${version}.${type.kind}`;
}

const documents = new WeakMap<
  ResourceRegistry,
  { revision: number; docs: Map<string, { doc: unknown; hash: string }> }
>();

function buildDocuments(registry: ResourceRegistry) {
  const previous = documents.get(registry);
  if (previous?.revision === registry.revision) return previous.docs;
  const cached = new Map<string, { doc: unknown; hash: string }>();
  for (const { name: group, versions } of registry.groups()) {
    for (const version of versions) {
      const paths: Record<string, unknown> = {};
      const schemas: Record<string, unknown> = {};
      for (const type of registry
        .all()
        .filter(t => t.group === group && t.versions.includes(version))) {
        const gvk = { group, version, kind: type.kind };
        const base = `/${gvPath(group, version)}${
          type.namespaced ? '/namespaces/{namespace}' : ''
        }/${type.plural}`;
        const query = (name: string) => ({
          name,
          in: 'query',
          schema: { type: 'string', uniqueItems: true },
        });
        const ref = {
          $ref: `#/components/schemas/${schemaName(type, version)}`,
        };
        const response = {
          '200': {
            description: 'OK',
            content: { 'application/json': { schema: ref } },
          },
        };
        paths[`${base}/{name}`] = {
          get: {
            operationId: `read${type.kind}`,
            'x-kubernetes-action': 'get',
            'x-kubernetes-group-version-kind': gvk,
            responses: response,
          },
          put: {
            operationId: `replace${type.kind}`,
            'x-kubernetes-action': 'put',
            'x-kubernetes-group-version-kind': gvk,
            parameters: ['dryRun', 'fieldManager', 'fieldValidation'].map(
              query,
            ),
            responses: response,
          },
          patch: {
            operationId: `patch${type.kind}`,
            'x-kubernetes-action': 'patch',
            'x-kubernetes-group-version-kind': gvk,
            parameters: [
              'dryRun',
              'fieldManager',
              'fieldValidation',
              'force',
            ].map(query),
            responses: response,
          },
          delete: {
            operationId: `delete${type.kind}`,
            'x-kubernetes-action': 'delete',
            'x-kubernetes-group-version-kind': gvk,
            responses: response,
          },
        };
        paths[base] = {
          get: {
            operationId: `list${type.kind}`,
            'x-kubernetes-action': 'list',
            'x-kubernetes-group-version-kind': gvk,
            responses: response,
          },
          post: {
            operationId: `create${type.kind}`,
            'x-kubernetes-action': 'post',
            'x-kubernetes-group-version-kind': gvk,
            parameters: ['dryRun', 'fieldManager', 'fieldValidation'].map(
              query,
            ),
            responses: response,
          },
        };
        const crdVersion = type.crd?.versions.find(v => v.name === version);
        schemas[schemaName(type, version)] = {
          ...(crdVersion
            ? crdVersion.schema
            : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
          'x-kubernetes-group-version-kind': [gvk],
        };
      }
      const doc = {
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: 'v1.32.0-emulator' },
        paths,
        components: { schemas },
      };
      const hash = createHash('sha512')
        .update(JSON.stringify(doc))
        .digest('hex')
        .slice(0, 64)
        .toUpperCase();
      cached.set(gvPath(group, version), { doc, hash });
    }
  }
  documents.set(registry, { revision: registry.revision, docs: cached });
  return cached;
}

export function openApiV3Root(registry: ResourceRegistry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, { hash }] of buildDocuments(registry)) {
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

export function openApiV3Document(registry: ResourceRegistry, path: string) {
  return buildDocuments(registry).get(path)?.doc;
}

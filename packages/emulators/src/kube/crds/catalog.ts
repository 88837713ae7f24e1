import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A JSON-schema-ish node of a CRD's openAPIV3Schema (structural schema). */
export type SchemaNode = { [key: string]: any };

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema: SchemaNode;
  hasStatus: boolean;
  printerColumns: PrinterColumn[];
}

export interface CrdDefinition {
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  versions: CrdVersion[];
  /** The CustomResourceDefinition object itself (apiextensions.k8s.io/v1). */
  crd: Record<string, any>;
  /** Vendored file the definition came from, relative to the crds directory. */
  source: string;
}

/**
 * ComputeClass: GKE publishes no CRD, and the live-cluster CRD dump is older than the JSON Schema
 * published for cloud.google.com/v1. Names and scope come from the dump, the schema from the newer file.
 */
const COMPUTE_CLASS_CRD =
  'gke-computeclass/computeclasses.cloud.google.com.crd.yaml';
const COMPUTE_CLASS_JSON_SCHEMA =
  'gke-computeclass/computeclass_v1.jsonschema.json';

/** Finds the vendored crds/ directory from source (src/kube/crds) or from a build (dist/). */
// The walk up from this file finds crds/ both in the source tree and beside dist/ ("files" ships it).
// eslint-disable-next-line no-restricted-syntax
const HERE = __dirname;

export function findCrdDirectory(start: string = HERE): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'crds');
    if (fs.existsSync(path.join(candidate, 'kueue'))) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  throw new Error(`Vendored crds/ directory not found above ${start}`);
}

function listYamlFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, base), {
    withFileTypes: true,
  })) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.push(...listYamlFiles(dir, rel));
    } else if (entry.name.endsWith('.yaml')) {
      out.push(rel);
    }
  }
  return out.sort();
}

/** datree's catalogue adds `additionalProperties: false` everywhere; a structural schema prunes instead. */
function stripClosedObjects(node: any): any {
  if (Array.isArray(node)) {
    return node.map(stripClosedObjects);
  }
  if (node && typeof node === 'object') {
    const out: Record<string, any> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'additionalProperties' && value === false) {
        continue;
      }
      out[key] = stripClosedObjects(value);
    }
    return out;
  }
  return node;
}

/** The emulator's view of a CustomResourceDefinition object (vendored file or applied through the API). */
export function crdDefinitionOf(crd: any, source: string): CrdDefinition {
  const spec = crd.spec;
  const names = spec.names;
  return {
    group: spec.group,
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    versions: (spec.versions as any[]).map(v => ({
      name: v.name,
      served: v.served !== false,
      storage: v.storage === true,
      deprecated: v.deprecated === true ? true : undefined,
      schema: v.schema?.openAPIV3Schema ?? {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
      hasStatus: Boolean(v.subresources?.status),
      printerColumns: v.additionalPrinterColumns ?? [],
    })),
    crd,
    source,
  };
}

const cache = new Map<string, CrdDefinition[]>();

/** Loads every vendored CRD (memoised per directory: parsing ~4 MB of YAML takes about a second). */
export function loadCrdDefinitions(
  crdDir: string = findCrdDirectory(),
): CrdDefinition[] {
  const cached = cache.get(crdDir);
  if (cached) {
    return cached;
  }
  const definitions: CrdDefinition[] = [];
  for (const rel of listYamlFiles(crdDir)) {
    const crd = parseYaml(fs.readFileSync(path.join(crdDir, rel), 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition') {
      continue;
    }
    if (rel === COMPUTE_CLASS_CRD) {
      const newer = JSON.parse(
        fs.readFileSync(path.join(crdDir, COMPUTE_CLASS_JSON_SCHEMA), 'utf8'),
      );
      delete newer.$schema;
      for (const version of crd.spec.versions) {
        if (version.name === 'v1') {
          version.schema = { openAPIV3Schema: stripClosedObjects(newer) };
        }
      }
    }
    definitions.push(crdDefinitionOf(crd, rel));
  }
  cache.set(crdDir, definitions);
  return definitions;
}

export function storageVersion(def: CrdDefinition): CrdVersion {
  return def.versions.find(v => v.storage) ?? def.versions[0];
}

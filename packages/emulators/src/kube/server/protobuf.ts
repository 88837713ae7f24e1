import fs from 'node:fs';
import path from 'node:path';
import * as protobuf from 'protobufjs';
import { apiVersionOf } from '../resources/registry';

/**
 * The Kubernetes protobuf wire format (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the
 * four magic bytes `k8s\0` followed by a `runtime.Unknown` whose `raw` holds the object encoded
 * with the upstream `generated.proto` of its group (vendored under `protos/`, see its README).
 * kubectl's typed commands (`create namespace`, `create configmap`, `create job`, `scale`, …)
 * send and ask for this format for built-in kinds; CRDs are always JSON.
 */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Proto package of each built-in group (k8s.io/api/<dir>/<version>). */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  'rbac.authorization.k8s.io': 'rbac',
  'networking.k8s.io': 'networking',
  'scheduling.k8s.io': 'scheduling',
  'events.k8s.io': 'events',
  'coordination.k8s.io': 'coordination',
};
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

// The walk up from this file finds protos/ both in the source tree and beside dist/ ("files" ships it).
// eslint-disable-next-line no-restricted-syntax
const HERE = __dirname;

function findProtoDirectory(start: string = HERE): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'protos');
    if (fs.existsSync(path.join(candidate, 'k8s.io'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Vendored protos/ directory not found above ${start}`);
}

function listProtoFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap(entry => {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) return listProtoFiles(dir, child);
      return entry.name.endsWith('.proto') ? [child] : [];
    });
}

let cachedRoot: protobuf.Root | undefined;

function root(): protobuf.Root {
  if (!cachedRoot) {
    const dir = findProtoDirectory();
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) =>
      path.isAbsolute(target) ? target : path.join(dir, target);
    // keepCase: the generated.proto field names are already the JSON names (`apiVersion`,
    // `generateName`), and FieldsV1 keeps its upper-case `Raw`.
    loaded.loadSync(listProtoFiles(dir), { keepCase: true });
    loaded.resolveAll();
    cachedRoot = loaded;
  }
  return cachedRoot;
}

/** The proto message of a kind (`Namespace`, `NamespaceList`, `Status`), if the group has protos. */
export function protoTypeFor(
  group: string,
  version: string,
  kind: string,
): protobuf.Type | undefined {
  const candidates: string[] = [];
  if (GROUP_PACKAGES[group] !== undefined)
    candidates.push(`k8s.io.api.${GROUP_PACKAGES[group]}.${version}.${kind}`);
  // meta.k8s.io kinds (Status, DeleteOptions) also travel as core `v1`.
  if (group === 'meta.k8s.io' || (group === '' && version === 'v1'))
    candidates.push(`${META}.${kind}`);
  for (const name of candidates) {
    try {
      return root().lookupType(name);
    } catch {
      // not in this package
    }
  }
  return undefined;
}

export class ProtobufDecodeError extends Error {}

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON form of its object. */
export function decodeProtobufObject(body: Buffer): Record<string, any> {
  if (body.length < MAGIC.length || !body.subarray(0, 4).equals(MAGIC)) {
    throw new ProtobufDecodeError(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  const Unknown = root().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let unknown: any;
  try {
    unknown = Unknown.decode(body.subarray(4));
  } catch (e) {
    throw new ProtobufDecodeError((e as Error).message);
  }
  const apiVersion: string = unknown.typeMeta?.apiVersion ?? '';
  const kind: string = unknown.typeMeta?.kind ?? '';
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  const type = protoTypeFor(group, version, kind);
  if (!type) {
    throw new ProtobufDecodeError(
      `no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go:100"`,
    );
  }
  let message: any;
  try {
    message = type.decode(unknown.raw ?? Buffer.alloc(0));
  } catch (e) {
    throw new ProtobufDecodeError((e as Error).message);
  }
  return { apiVersion, kind, ...messageToJson(type, message) };
}

/** Encodes the JSON form of an object as `k8s\0` + runtime.Unknown; undefined when it has no proto. */
export function encodeProtobufObject(
  obj: Record<string, any>,
): Buffer | undefined {
  const apiVersion: string = obj.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/')
    : ['', apiVersion];
  const type = protoTypeFor(group, version, obj.kind);
  if (!type) return undefined;
  const raw = type.encode(jsonToMessage(type, obj)).finish();
  const Unknown = root().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const envelope = Unknown.encode(
    Unknown.create({
      typeMeta: { apiVersion: apiVersionOf(group, version), kind: obj.kind },
      raw,
      contentEncoding: '',
      contentType: '',
    }),
  ).finish();
  return Buffer.concat([MAGIC, Buffer.from(envelope)]);
}

const toNumber = (v: any): number =>
  typeof v === 'number' ? v : Number(v?.toString?.() ?? v);

/** RFC 3339 as metav1.Time marshals it (seconds; MicroTime keeps microseconds). */
function timeToJson(v: any, micro: boolean): string | undefined {
  const seconds = toNumber(v.seconds ?? 0);
  const nanos = toNumber(v.nanos ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro
    ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`
    : `${iso}Z`;
}

function timeFromJson(v: string): { seconds: number; nanos: number } {
  const ms = Date.parse(v);
  const fraction = /\.(\d+)Z$/.exec(v)?.[1] ?? '';
  return {
    seconds: Math.floor(ms / 1000),
    nanos: fraction ? Number(fraction.padEnd(9, '0').slice(0, 9)) : 0,
  };
}

/** Go's time.Duration.String() for the nanoseconds metav1.Duration carries. */
function durationToJson(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let rest = Math.abs(nanos) / 1e9;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = +(rest - m * 60).toFixed(9);
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

function durationFromJson(v: string): number {
  const units: Record<string, number> = {
    h: 3600e9,
    m: 60e9,
    s: 1e9,
    ms: 1e6,
    us: 1e3,
    µs: 1e3,
    ns: 1,
  };
  let total = 0;
  for (const [, n, unit] of v.matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(n) * units[unit];
  }
  return v.startsWith('-') ? -total : total;
}

/**
 * Pointer fields of the built-in kinds whose zero or false is a value, not "unset"
 * (`*int32 replicas: 0`, `*bool automountServiceAccountToken: false`). Go marshals every
 * non-pointer field too, so other zeros and falses on the wire stand for omitted fields.
 */
const MEANINGFUL_ZERO = new Set([
  'replicas',
  'parallelism',
  'completions',
  'backoffLimit',
  'backoffLimitPerIndex',
  'maxFailedIndexes',
  'ttlSecondsAfterFinished',
  'terminationGracePeriodSeconds',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
  'startingDeadlineSeconds',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'defaultMode',
  'mode',
  'automountServiceAccountToken',
  'allowPrivilegeEscalation',
  'enableServiceLinks',
  'allocateLoadBalancerNodePorts',
  'privileged',
  'readOnlyRootFilesystem',
  'runAsNonRoot',
  'hostUsers',
  'shareProcessNamespace',
  'setHostnameAsFQDN',
  'suspend',
  'immutable',
  'optional',
  'manualSelector',
]);

const isPresent = (message: any, name: string) =>
  Object.prototype.hasOwnProperty.call(message, name);

function valueToJson(field: protobuf.Field, v: any): any {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    switch (resolved.fullName) {
      case `.${META}.Time`:
        return timeToJson(v, false);
      case `.${META}.MicroTime`:
        return timeToJson(v, true);
      case `.${META}.Duration`:
        return durationToJson(toNumber(v.duration ?? 0));
      case `.${META}.FieldsV1`:
      case '.k8s.io.apimachinery.pkg.runtime.RawExtension': {
        const raw: Uint8Array | undefined = v.Raw ?? v.raw;
        return raw && raw.length
          ? JSON.parse(Buffer.from(raw).toString('utf8'))
          : undefined;
      }
      case '.k8s.io.apimachinery.pkg.api.resource.Quantity':
      case '.k8s.io.apimachinery.pkg.api.resource.QuantityValue':
        return v.string;
      case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
        return toNumber(v.type ?? 0) === 1 ? v.strVal : toNumber(v.intVal ?? 0);
      default:
        return messageToJson(resolved, v);
    }
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'object' && v !== null && 'low' in v) return toNumber(v);
  return v;
}

/**
 * The JSON form of a decoded message. Go's proto marshaller writes every non-pointer field, so
 * empty strings, zero times and (outside MEANINGFUL_ZERO) zeros and falses stand for "unset" and
 * are dropped, as `omitempty` drops them from the JSON the API server would store.
 */
export function messageToJson(type: protobuf.Type, message: any): any {
  const out: Record<string, any> = {};
  for (const field of type.fieldsArray) {
    if (!isPresent(message, field.name)) continue;
    const v = message[field.name];
    if (field.map) {
      const entries = Object.entries(v ?? {});
      if (entries.length === 0) continue;
      out[field.name] = Object.fromEntries(
        entries.map(([k, x]) => [k, valueToJson(field, x)]),
      );
    } else if (field.repeated) {
      if (!v?.length) continue;
      out[field.name] = v.map((x: any) => valueToJson(field, x));
    } else {
      const converted = valueToJson(field, v);
      if (converted === undefined || converted === '') continue;
      if (
        (converted === 0 || converted === false) &&
        !MEANINGFUL_ZERO.has(field.name)
      )
        continue;
      out[field.name] = converted;
    }
  }
  return out;
}

function valueFromJson(field: protobuf.Field, v: any): any {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    switch (resolved.fullName) {
      case `.${META}.Time`:
      case `.${META}.MicroTime`:
        return timeFromJson(String(v));
      case `.${META}.Duration`:
        return { duration: durationFromJson(String(v)) };
      case `.${META}.FieldsV1`:
        return { Raw: Buffer.from(JSON.stringify(v)) };
      case '.k8s.io.apimachinery.pkg.runtime.RawExtension':
        return { raw: Buffer.from(JSON.stringify(v)) };
      case '.k8s.io.apimachinery.pkg.api.resource.Quantity':
      case '.k8s.io.apimachinery.pkg.api.resource.QuantityValue':
        return { string: String(v) };
      case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
        return typeof v === 'number'
          ? { type: 0, intVal: v }
          : { type: 1, strVal: String(v) };
      default:
        return jsonToMessage(resolved, v);
    }
  }
  if (field.type === 'bytes') return Buffer.from(String(v), 'base64');
  return v;
}

/** A protobufjs message from the JSON form (fields the proto does not know are left out). */
export function jsonToMessage(type: protobuf.Type, obj: any): protobuf.Message {
  const props: Record<string, any> = {};
  for (const field of type.fieldsArray) {
    const v = obj?.[field.name];
    if (v === undefined || v === null) continue;
    if (field.map) {
      props[field.name] = Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, valueFromJson(field, x)]),
      );
    } else if (field.repeated) {
      if (!Array.isArray(v)) continue;
      props[field.name] = v.map(x => valueFromJson(field, x));
    } else {
      props[field.name] = valueFromJson(field, v);
    }
  }
  return type.create(props);
}

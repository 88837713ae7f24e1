/**
 * Values that parse but are unsafe or fail late in GCP or in the pods: system mount paths,
 * control-plane ranges open to the internet, names Google reserves, Workload Identity on
 * privileged Kubernetes service accounts. Each rule names its source.
 */
import { parseIpv4Cidr } from './cidr';

/**
 * Directories of the node image and the container runtime that a volume must never cover or sit
 * in: system configuration and kernel interfaces (/etc, /proc, /sys, /dev), the service-account
 * token Kubernetes projects into every pod (/var/run/secrets), binaries and libraries, and the
 * paths the stack's own GPU pods mount (NVIDIA libraries, the NCCL gIB plugin, /dev/shm) or the
 * Ray image runs from (/home/ray).
 */
export const PROTECTED_MOUNT_PATHS = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/run',
  '/var/run',
  '/var/lib',
  '/var/log',
  '/root',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/lib32',
  '/usr/lib64',
  '/usr/libexec',
  '/usr/local/bin',
  '/usr/local/lib',
  '/usr/local/nvidia',
  '/usr/local/cuda',
  '/usr/local/gib',
  '/home/ray',
  '/tmp',
] as const;

const under = (path: string, dir: string) =>
  path === dir || path.startsWith(`${dir}/`);

/** Why a mount path is unsafe (it covers or sits in a protected directory), if it is. @public */
export function unsafeMountPathReason(path: string): string | undefined {
  const trimmed = path.replace(/\/+$/, '') || '/';
  const inside = PROTECTED_MOUNT_PATHS.find(dir => under(trimmed, dir));
  if (inside) {
    const why =
      inside === '/var/run' || inside === '/run'
        ? 'the service-account token lives in /var/run/secrets'
        : 'mounting there hides what the container needs';
    return `${path} is inside ${inside}, a system directory of the node image or the pod (${why}); use a path such as /data or /mnt/<name>`;
  }
  const covered = PROTECTED_MOUNT_PATHS.find(dir =>
    under(dir, trimmed === '/' ? '' : trimmed),
  );
  if (covered) {
    return `${path} would hide ${covered}; use a path such as /data or /mnt/<name>`;
  }
  return undefined;
}

/**
 * The widest control-plane authorized network accepted: /16 for public addresses and /8 for the
 * private (RFC 1918) ranges. 0.0.0.0/0 and other internet-wide ranges open the Kubernetes API to
 * anyone who gets a credential; GKE accepts them, so the spec must not.
 */
export function overBroadNetworkReason(cidr: string): string | undefined {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed) return undefined;
  const [a, b] = cidr.split('/')[0].split('.').map(Number);
  const privateWidest: Array<[boolean, number]> = [
    [a === 10, 8],
    [a === 172 && b >= 16 && b <= 31, 12],
    [a === 192 && b === 168, 16],
  ];
  const privateRange = privateWidest.find(([matches]) => matches);
  const widest = privateRange ? privateRange[1] : 16;
  if (parsed.prefix >= widest) return undefined;
  if (parsed.prefix === 0) {
    return `${cidr} opens the control plane to the whole internet; authorize your own egress range (e.g. 203.0.113.7/32), or keep the IAM-authorized DNS endpoint (cluster.dnsEndpoint) and no authorized networks`;
  }
  return `${cidr} is too broad for a control-plane authorized network (at most /${widest} for ${
    privateRange ? 'this private range' : 'public addresses'
  }); list the runner's and your own egress ranges`;
}

/**
 * GCS bucket names Google refuses: "Bucket names cannot begin with the goog prefix" and "cannot
 * contain google or close misspellings, such as g00gle"
 * (https://cloud.google.com/storage/docs/buckets#naming).
 */
export function reservedBucketNameReason(name: string): string | undefined {
  if (name.startsWith('goog'))
    return `bucket name ${name} begins with "goog", which Cloud Storage reserves`;
  if (/g[o0][o0]g[l1][e3]/.test(name))
    return `bucket name ${name} contains "google" (or a close misspelling), which Cloud Storage refuses`;
  return undefined;
}

/**
 * Project ids "can't contain restricted strings, such as google and ssl"
 * (https://cloud.google.com/resource-manager/docs/creating-managing-projects).
 */
export function reservedProjectIdReason(id: string): string | undefined {
  const restricted = ['google', 'ssl'].find(word => id.includes(word));
  return restricted
    ? `project ids cannot contain "${restricted}" (a restricted string); use the id of your own project`
    : undefined;
}

/**
 * Label keys Google sets itself (goog-gke-node, goog-k8s-cluster-name …): a `goog` prefix is
 * reserved for Google Cloud.
 */
export function reservedLabelKeyReason(key: string): string | undefined {
  return key.startsWith('goog')
    ? `label key ${key} begins with "goog", which Google Cloud reserves for its own labels`
    : undefined;
}

/**
 * Kubernetes service accounts Workload Identity must never be bound to: any in kube-system (system
 * components would act as the workload's Google identity) and a namespace's `default` account
 * (every pod that names no account would).
 */
export function privilegedServiceAccountReason(
  namespace: string,
  name: string,
):
  | { field: 'namespace' | 'kubernetesServiceAccount'; message: string }
  | undefined {
  if (namespace === 'kube-system') {
    return {
      field: 'namespace',
      message:
        'Workload Identity must not be bound in kube-system: system components would act with the workload service account; use the namespace of your jobs',
    };
  }
  if (name === 'default') {
    return {
      field: 'kubernetesServiceAccount',
      message:
        'Workload Identity must not be bound to a namespace\'s "default" service account: every pod that names no account would get the Google identity; use a dedicated account such as gke-training',
    };
  }
  return undefined;
}

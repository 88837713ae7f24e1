import type { protos } from '@google-cloud/container';

/**
 * The GKE versions the emulator serves, per release channel. A stand-in for the real server
 * config (GetServerConfig): real projects see other numbers, but the rules are GKE's — a pinned
 * version must be one the channel offers (or, without a channel, any valid version), a prefix
 * such as `1.33` resolves to the newest patch, and node pools may not run newer than the control
 * plane nor more than two minor versions behind it
 * (https://cloud.google.com/kubernetes-engine/versioning#version_skew).
 */
export const CHANNEL_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  RAPID: ['1.34.1-gke.1829001', '1.33.5-gke.1162000'],
  // The first entry is a channel's default version.
  REGULAR: ['1.33.1-gke.1107000', '1.33.5-gke.1162000', '1.32.9-gke.1010000'],
  STABLE: ['1.32.9-gke.1010000', '1.31.13-gke.1023000'],
  EXTENDED: ['1.31.13-gke.1023000', '1.30.14-gke.1008000'],
};

/** The version a cluster without channel and version gets. */
export const DEFAULT_GKE_VERSION = CHANNEL_VERSIONS.REGULAR[0];

/** Release channels that pin node auto-upgrade on (every channel but UNSPECIFIED). */
export const RELEASE_CHANNELS = Object.keys(CHANNEL_VERSIONS);

export const VALID_VERSIONS: readonly string[] = [
  ...new Set(Object.values(CHANNEL_VERSIONS).flat()),
].sort(compareVersions);

function parts(version: string): number[] {
  return version
    .replace('-gke.', '.')
    .split('.')
    .map(n => Number(n));
}

/** Orders GKE versions numerically (1.9 < 1.10; gke patch last). */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const minorOf = (version: string) => parts(version)[1];

/**
 * Resolves a requested version (`latest`, `-`, a full version or a prefix such as `1.33` or
 * `1.33.5`) against the versions a channel offers; undefined when none matches.
 */
export function resolveVersion(
  requested: string | null | undefined,
  channel: string | undefined,
): string | undefined {
  const offered =
    channel && CHANNEL_VERSIONS[channel]
      ? CHANNEL_VERSIONS[channel]
      : VALID_VERSIONS;
  if (!requested || requested === '-') {
    return channel && CHANNEL_VERSIONS[channel]
      ? CHANNEL_VERSIONS[channel][0]
      : DEFAULT_GKE_VERSION;
  }
  if (requested === 'latest') {
    return [...offered].sort(compareVersions).pop();
  }
  const matching = offered
    .filter(v => v === requested || v.startsWith(`${requested}.`))
    .concat(offered.filter(v => v.startsWith(`${requested}-gke.`)));
  return [...new Set(matching)].sort(compareVersions).pop();
}

/** GetServerConfig's answer. */
export function serverConfig(): protos.google.container.v1.IServerConfig {
  return {
    defaultClusterVersion: DEFAULT_GKE_VERSION,
    validMasterVersions: [...VALID_VERSIONS].reverse(),
    validNodeVersions: [...VALID_VERSIONS].reverse(),
    defaultImageType: 'COS_CONTAINERD',
    validImageTypes: ['COS_CONTAINERD', 'UBUNTU_CONTAINERD'],
    channels: Object.entries(CHANNEL_VERSIONS).map(([channel, versions]) => ({
      channel:
        channel as unknown as protos.google.container.v1.ReleaseChannel.Channel,
      defaultVersion: versions[0],
      validVersions: [...versions],
    })),
  };
}

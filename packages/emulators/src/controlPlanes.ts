import type { ControlPlaneProvider } from './gke';
import {
  startKubeEmulator,
  type KubeEmulator,
  type KubeEmulatorOptions,
} from './kube/KubeEmulator';
import type { LoopbackTls } from './tls';

/** Control planes of created GKE clusters, each a fresh Kubernetes API emulator. */
export interface KubeControlPlanes extends ControlPlaneProvider {
  /** The running emulators, by cluster path (projects/p/locations/l/clusters/c). */
  readonly emulators: ReadonlyMap<string, KubeEmulator>;
  stopAll(): Promise<void>;
}

/**
 * A ControlPlaneProvider for the GKE emulator: every cluster created through the API gets its own
 * Kubernetes API emulator on a free loopback port, presenting the given CA and accepting the given
 * token, empty apart from the default namespaces (Terraform created the cluster; kubectl fills
 * it). Deleting the cluster stops it.
 */
export function kubeEmulatorControlPlanes(options: {
  host?: string;
  token: string;
  tls: LoopbackTls;
  kube?: Omit<KubeEmulatorOptions, 'host' | 'port' | 'token' | 'tls'>;
}): KubeControlPlanes {
  const host = options.host ?? '127.0.0.1';
  const emulators = new Map<string, KubeEmulator>();
  return {
    emulators,
    async start({ path }) {
      const kube = await startKubeEmulator({
        fixtures: 'empty',
        ...options.kube,
        host,
        port: 0,
        token: options.token,
        tls: options.tls,
      });
      emulators.set(path, kube);
      return { endpoint: new URL(kube.url).host, caPem: kube.caPem };
    },
    async stop(path) {
      const kube = emulators.get(path);
      emulators.delete(path);
      await kube?.stop();
    },
    async stopAll() {
      const all = [...emulators.values()];
      emulators.clear();
      await Promise.allSettled(all.map(kube => kube.stop()));
    },
  };
}

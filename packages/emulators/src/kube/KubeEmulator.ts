import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { stringify as toYaml } from 'yaml';
import { FaultInjector } from '../faults/FaultInjector';
import { systemClock, type Clock } from '../clock';
import { ResourceRegistry } from './resources/registry';
import { Authorizer, type ForbidRule } from './server/auth';
import { KubeApiServer } from './server/KubeApiServer';
import { createLoopbackTls, type LoopbackTls } from '../tls';
import { ObjectStore } from './store/ObjectStore';
import { ContainerLogs } from './server/podLog';
import { createCrdValidator } from './validation/CrdValidator';
import { KubeClient } from './KubeClient';
import { loadDemoCluster } from '../demo/demoCluster';
import { demoNodePools } from '../demo/nodePools';
import type { EmulatedNodePool } from '../scenarios/cluster/nodePools';
import { kueueJobWebhook } from '../scenarios/kueue/KueueController';
import { ScenarioEngine } from '../scenarios/ScenarioEngine';
import { injectFabricFault, type FabricFault } from '../scenarios/daemonSets';
import {
  DEFAULT_TIMINGS,
  ScriptedControllers,
  type DwsOutcome,
  type ScenarioTimings,
} from '../scenarios/controllers';

export interface KubeEmulatorOptions {
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  host?: string;
  /** Bearer token accepted for the admin user; random when unset. */
  token?: string;
  /** Extra tokens → user names (for 403 rules per user). */
  users?: Record<string, string>;
  /** Seed objects: the demo cluster, or only the default namespaces. */
  fixtures?: 'demo' | 'empty';
  /** Events retained for watch resumption; older resourceVersions get 410 Gone. */
  watchWindow?: number;
  bookmarkIntervalMs?: number;
  clock?: Clock;
  /** Requests matching these rules get 403 Forbidden. */
  forbid?: ForbidRule[];
  /**
   * CA and serving certificate to present (e.g. another emulator's, so clients trust one CA);
   * a fresh throw-away CA when unset. The certificate must name the host listened on.
   */
  tls?: LoopbackTls;
  /** Scripted controllers (Kueue/DWS/KubeRay); on by default. */
  scenarios?: {
    enabled?: boolean;
    timings?: Partial<ScenarioTimings>;
    defaultOutcome?: DwsOutcome;
    /**
     * How often due scenario stages run (default 500 ms with a real clock). Given explicitly, the
     * ticker also runs with a ManualClock: scripted time stands still, but immediate reactions
     * (zero-delay stages, such as a Deployment with `deploymentReadyMs: 0`) still happen.
     */
    tickIntervalMs?: number;
    /**
     * Node pools of the emulated cluster (build them with `gkeNodePool`); the demo fixtures
     * default to `demoNodePools()`, the empty fixtures to none.
     */
    nodePools?: EmulatedNodePool[];
    /** A fabric fault injected once the fixtures are loaded (see `injectFabricFault`). */
    fabricFault?: FabricFault;
  };
}

export interface KubeEmulator {
  url: string;
  caPem: string;
  token: string;
  /** kubeconfig YAML (cluster/context/user `emulator`) trusting the emulator's CA. */
  kubeconfig(options?: { token?: string }): string;
  writeKubeconfig(path: string): Promise<void>;
  faults: FaultInjector;
  authorizer: Authorizer;
  store: ObjectStore;
  /** In-process access for fixtures and scenario controllers (no HTTP, no auth, no faults). */
  client: KubeClient;
  clock: Clock;
  /** Scripted controllers; with a ManualClock, drive them with `engine.runFor(ms)`. */
  scenarios: { engine: ScenarioEngine; controllers?: ScriptedControllers };
  /** Ends the open watches whose path matches (clients resume into the faults now in place). */
  dropWatches(path: RegExp): number;
  stop(): Promise<void>;
}

export const ADMIN_USER = 'emulator-admin';

export async function startKubeEmulator(
  options: KubeEmulatorOptions = {},
): Promise<KubeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const token = options.token ?? randomBytes(24).toString('hex');
  const tokens = new Map<string, string>([
    [token, ADMIN_USER],
    ...Object.entries(options.users ?? {}),
  ]);
  const registry = new ResourceRegistry(createCrdValidator());
  const store = new ObjectStore({ clock, watchWindow: options.watchWindow });
  const faults = new FaultInjector();
  const authorizer = new Authorizer();
  for (const rule of options.forbid ?? []) authorizer.forbid(rule);
  const certs = options.tls ?? createLoopbackTls([host]);
  const client = new KubeClient(store, registry);
  client.seedDefaults();
  if (options.fixtures === 'demo') {
    loadDemoCluster(client, clock);
  }
  const scenariosOn = options.scenarios?.enabled !== false;
  const containerLogs = new ContainerLogs();
  const server = new KubeApiServer({
    store,
    containerLogs,
    registry,
    clock,
    certPem: certs.certPem,
    keyPem: certs.keyPem,
    tokens,
    faults,
    authorizer,
    bookmarkIntervalMs: options.bookmarkIntervalMs,
    admissionHooks: scenariosOn ? [kueueJobWebhook] : [],
  });
  const engine = new ScenarioEngine(clock);
  const controllers = scenariosOn
    ? new ScriptedControllers(
        client,
        engine,
        { ...DEFAULT_TIMINGS, ...options.scenarios?.timings },
        options.scenarios?.defaultOutcome,
        {
          nodePools:
            options.scenarios?.nodePools ??
            (options.fixtures === 'demo' ? demoNodePools() : undefined),
          containerLogs,
        },
      )
    : undefined;
  if (options.scenarios?.fabricFault) {
    injectFabricFault(client, options.scenarios.fabricFault);
    engine.markDirty();
  }
  // A clock that cannot be advanced by hand is real time: tick on a timer. A manual clock is
  // ticked by the test, or on a timer when it asks for one.
  const tickOnTimer =
    !('advance' in clock) || options.scenarios?.tickIntervalMs !== undefined;
  const ticker =
    controllers && tickOnTimer
      ? setInterval(
          () => engine.tick(),
          options.scenarios?.tickIntervalMs ?? 500,
        )
      : undefined;
  ticker?.unref();
  const url = await server.listen(options.port ?? 0, host);
  const kubeconfig = (o: { token?: string } = {}) =>
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'emulator',
          cluster: {
            server: url,
            'certificate-authority-data': Buffer.from(certs.caPem).toString(
              'base64',
            ),
          },
        },
      ],
      users: [{ name: 'emulator', user: { token: o.token ?? token } }],
      contexts: [
        {
          name: 'emulator',
          context: {
            cluster: 'emulator',
            user: 'emulator',
            namespace: 'default',
          },
        },
      ],
      'current-context': 'emulator',
    });
  return {
    url,
    caPem: certs.caPem,
    token,
    kubeconfig,
    writeKubeconfig: path => fs.writeFile(path, kubeconfig(), { mode: 0o600 }),
    faults,
    authorizer,
    store,
    client,
    clock,
    scenarios: { engine, controllers },
    dropWatches: path => server.dropWatches(path),
    stop: async () => {
      if (ticker) clearInterval(ticker);
      controllers?.stop();
      await server.close();
    },
  };
}

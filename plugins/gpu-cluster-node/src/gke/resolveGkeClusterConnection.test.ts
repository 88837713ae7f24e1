import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import type { ClusterManagerClient } from '@google-cloud/container';
import {
  denyGoogleCredentialDiscovery,
  startGkeEmulator,
  startKubeEmulator,
  type GkeEmulator,
  type KubeEmulator,
} from '@gpu-platform/emulators';
import { parse } from 'yaml';
import { runKubectl } from '../kubectl';
import {
  createClusterManagerClient,
  GkeConnectionError,
  resolveGkeClusterConnection,
  writeKubeconfigFor,
} from '.';

denyGoogleCredentialDiscovery();

const PROJECT = 'gke-credentials-test';
const LOCATION = 'us-central1';

describe('resolveGkeClusterConnection (GKE and Kubernetes emulators)', () => {
  let kube: KubeEmulator;
  let gke: GkeEmulator;
  let clusterManager: ClusterManagerClient;
  let dir: string;
  const getAccessToken = async () => kube.token;

  beforeAll(async () => {
    kube = await startKubeEmulator();
    gke = await startGkeEmulator({ fixtures: 'empty' });
    clusterManager = createClusterManagerClient({
      host: gke.host,
      port: gke.port,
      caData: gke.caCertPem,
      token: gke.token,
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gke-credentials-'));
    const kubeAddress = new URL(kube.url).host; // 127.0.0.1:<port>
    const masterAuth = {
      clusterCaCertificate: Buffer.from(kube.caPem).toString('base64'),
    };
    // As the stack creates them: private endpoint enforced; the public one is unreachable.
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      {
        name: 'private-gpu',
        endpoint: kubeAddress,
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.32/28',
          privateEndpoint: kubeAddress,
        },
        masterAuth,
      },
    );
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      {
        name: 'public-gpu',
        endpoint: kubeAddress,
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: false,
          masterIpv4CidrBlock: '172.16.0.48/28',
        },
        masterAuth,
      },
    );
    // As the stack creates it by default: the DNS-based endpoint admits IAM-authorized traffic
    // (here the Kubernetes emulator by a name its certificate carries), no public IP endpoint.
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      {
        name: 'dns-gpu',
        controlPlaneEndpointsConfig: {
          dnsEndpointConfig: {
            endpoint: `localhost:${new URL(kube.url).port}`,
            allowExternalTraffic: true,
          },
        },
        privateClusterConfig: {
          enablePrivateNodes: true,
          enablePrivateEndpoint: true,
          masterIpv4CidrBlock: '172.16.0.64/28',
        },
        masterAuth,
      },
    );
    gke.store.seedCluster(
      { project: PROJECT, location: LOCATION },
      {
        name: 'new-gpu',
        status: 'PROVISIONING',
        statusMessage: 'Creating the control plane',
        masterAuth,
      },
    );
  });

  afterAll(async () => {
    await clusterManager?.close();
    await gke?.stop();
    await kube?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const ref = (clusterName: string) => ({
    projectId: PROJECT,
    location: LOCATION,
    clusterName,
  });

  it('derives a working connection to the private endpoint, as get-credentials does', async () => {
    const connection = await resolveGkeClusterConnection(ref('private-gpu'), {
      clusterManager,
      getAccessToken,
    });
    expect(connection.url).toBe(kube.url.replace(/\/$/, ''));
    expect(connection.caData).toBe(kube.caPem);
    expect(connection.token).toBe(kube.token);
    // The token stays out of anything that prints or serialises the connection.
    expect(JSON.stringify(connection)).not.toContain(kube.token);
    expect(inspect(connection)).not.toContain(kube.token);

    const file = await writeKubeconfigFor(
      connection,
      path.join(dir, 'kubeconfig'),
    );
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const written = parse(await fs.readFile(file, 'utf8'));
    expect(written.users[0].user.token).toBe(kube.token);

    const logged: string[] = [];
    const { stdout } = await runKubectl(['get', 'ns', '-o', 'name'], {
      kubeconfig: file,
      timeoutMs: 30_000,
      logger: { info: m => logged.push(m) },
    });
    expect(stdout.split('\n')).toContain('namespace/default');
    expect(logged.join('\n')).not.toContain(kube.token);
  });

  it('picks the public endpoint unless the private one is enforced, and honours the override', async () => {
    const publicConnection = await resolveGkeClusterConnection(
      ref('public-gpu'),
      { clusterManager, getAccessToken },
    );
    expect(publicConnection.url).toBe(kube.url.replace(/\/$/, ''));
    // Its private endpoint is the emulator-computed 172.16.0.50, not the Kubernetes emulator.
    const internal = await resolveGkeClusterConnection(
      { ...ref('public-gpu'), useInternalEndpoint: true },
      { clusterManager, getAccessToken },
    );
    expect(internal.url).toBe('https://172.16.0.50');
  });

  it('uses the DNS endpoint when the cluster admits traffic on it, trusting public CAs', async () => {
    const connection = await resolveGkeClusterConnection(ref('dns-gpu'), {
      clusterManager,
      getAccessToken,
    });
    expect(connection.url).toBe(`https://localhost:${new URL(kube.url).port}`);
    expect(connection.caData).toBeUndefined();
    const file = await writeKubeconfigFor(
      connection,
      path.join(dir, 'dns-kubeconfig'),
    );
    expect(parse(await fs.readFile(file, 'utf8')).clusters[0].cluster).toEqual({
      server: connection.url,
    });
    // kubectl verifies the endpoint against the system trust store: here, the emulator's CA.
    const caFile = path.join(dir, 'system-roots.pem');
    await fs.writeFile(caFile, kube.caPem);
    const { stdout } = await runKubectl(['get', 'ns', '-o', 'name'], {
      kubeconfig: file,
      env: { ...process.env, SSL_CERT_FILE: caFile },
      timeoutMs: 30_000,
    });
    expect(stdout.split('\n')).toContain('namespace/default');
    // An IP endpoint asked for explicitly still wins.
    const internal = await resolveGkeClusterConnection(
      { ...ref('dns-gpu'), useInternalEndpoint: true },
      { clusterManager, getAccessToken },
    );
    expect(internal.url).toBe('https://172.16.0.66');
    expect(internal.caData).toBe(kube.caPem);
  });

  it('reports a cluster that is still provisioning as not running yet', async () => {
    const error = await resolveGkeClusterConnection(ref('new-gpu'), {
      clusterManager,
      getAccessToken,
    }).catch(e => e);
    expect(error).toBeInstanceOf(GkeConnectionError);
    expect(error.reason).toBe('NOT_RUNNING');
    expect(error.message).toBe(
      `GKE cluster new-gpu (project ${PROJECT}, location ${LOCATION}) is not running yet: its status is PROVISIONING (Creating the control plane)`,
    );
  });

  it('says in plain words that a missing cluster does not exist', async () => {
    const error = await resolveGkeClusterConnection(ref('no-such-cluster'), {
      endpoint: {
        host: gke.host,
        port: gke.port,
        caData: gke.caCertPem,
        token: gke.token,
      },
      getAccessToken,
    }).catch(e => e);
    expect(error).toBeInstanceOf(GkeConnectionError);
    expect(error.reason).toBe('NOT_FOUND');
    expect(error.message).toMatch(
      /^GKE cluster no-such-cluster \(project gke-credentials-test, location us-central1\) was not found \(NOT_FOUND\)/,
    );
  });

  it('fails without a token instead of reaching Google when ADC has none', async () => {
    const error = await resolveGkeClusterConnection(ref('private-gpu'), {
      clusterManager,
    }).catch(e => e);
    expect(error).toBeInstanceOf(GkeConnectionError);
    expect(error.reason).toBe('NO_TOKEN');
  });
});

/* eslint-disable no-console */
/**
 * Starts the development emulators with the demo cluster: Kubernetes API (default
 * https://127.0.0.1:6443), the GKE ClusterManager gRPC emulator (:8443), the GCE metadata server
 * (:8988), the Cloud Storage JSON API emulator (http://127.0.0.1:4443, Terraform state) and the
 * Compute / Service Usage / Resource Manager REST emulator (http://127.0.0.1:8990, preflight).
 * Development and test only; production configuration never runs this.
 *
 *   yarn workspace @gpu-platform/emulators start --out-dir .emulators
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeEmulator } from './kube/KubeEmulator';
import { startGkeEmulator } from './gke';
import { startGcsEmulator } from './gcs';
import { startCloudApisEmulator } from './cloudapis';
import { writeKueueReleaseStandIn } from './demo/kueueRelease';
import { kubeEmulatorControlPlanes } from './controlPlanes';
import { startMetadataEmulator } from './metadata/MetadataEmulator';
import { DEMO } from './demo/names';
import { createLoopbackTls } from './tls';
import { startEmulatorAdmin } from './admin/EmulatorAdmin';
import { FABRIC_FAULTS, type FabricFault } from './scenarios/daemonSets';

const HELP = `Usage: emulators [options]
  --host <addr>        interface to listen on (default 127.0.0.1, env EMULATOR_HOST)
  --kube-port <n>      Kubernetes API port (default 6443, env KUBE_EMULATOR_PORT)
  --gke-port <n>       GKE ClusterManager gRPC port (default 8443, env GKE_EMULATOR_PORT; 0 = off)
  --gcs-port <n>       Cloud Storage JSON API port, for Terraform's gcs backend and the state
                       bucket (default 4443, env GCS_EMULATOR_PORT; 0 = off)
  --cloud-port <n>     Compute Engine, Service Usage and Resource Manager REST APIs (preflight)
                       port (default 8990, env CLOUD_APIS_EMULATOR_PORT; 0 = off)
  --token <t>          bearer token for both emulators (default random, env EMULATOR_TOKEN)
  --metadata-port <n>  GCE metadata server (Application Default Credentials) port
                       (default 8988, env METADATA_EMULATOR_PORT; 0 = off)
  --operation-step-ms <n>  length of one GKE operation phase (default 1000, env GKE_OPERATION_STEP_MS)
  --fixtures <f>       demo | empty (default demo)
  --fabric-fault <f>   inject a fabric fault into the demo cluster: installer-not-ready |
                       missing-rdma-interfaces | paramset-wrong-vpc (env FABRIC_FAULT)
  --admin-port <n>     loopback-only control endpoint for browser tests (deny a kind, inject a
                       fault, drop watches at run time; see src/admin/EmulatorAdmin.ts); always
                       127.0.0.1, the emulators' token required (default 0 = off, env
                       EMULATOR_ADMIN_PORT)
  --out-dir <dir>      where kubeconfig and emulators.json are written (default .emulators)
  --help

Clusters created through the GKE emulator (e.g. by terraform with the schema-serving provider's
GKE backend) each get a fresh Kubernetes API emulator on a free port of --host, with the same CA
and token; GKE reports it as the cluster's endpoint.`;

async function main() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      'kube-port': { type: 'string' },
      'gke-port': { type: 'string' },
      'metadata-port': { type: 'string' },
      'operation-step-ms': { type: 'string' },
      'gcs-port': { type: 'string' },
      'cloud-port': { type: 'string' },
      token: { type: 'string' },
      fixtures: { type: 'string' },
      'fabric-fault': { type: 'string' },
      'admin-port': { type: 'string' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const host = values.host ?? process.env.EMULATOR_HOST ?? '127.0.0.1';
  const kubePort = Number(
    values['kube-port'] ?? process.env.KUBE_EMULATOR_PORT ?? 6443,
  );
  const gkePort = Number(
    values['gke-port'] ?? process.env.GKE_EMULATOR_PORT ?? 8443,
  );
  const metadataPort = Number(
    values['metadata-port'] ?? process.env.METADATA_EMULATOR_PORT ?? 8988,
  );
  const operationStepMs = Number(
    values['operation-step-ms'] ?? process.env.GKE_OPERATION_STEP_MS ?? 1000,
  );
  const gcsPort = Number(
    values['gcs-port'] ?? process.env.GCS_EMULATOR_PORT ?? 4443,
  );
  const cloudPort = Number(
    values['cloud-port'] ?? process.env.CLOUD_APIS_EMULATOR_PORT ?? 8990,
  );
  const adminPort = Number(
    values['admin-port'] ?? process.env.EMULATOR_ADMIN_PORT ?? 0,
  );
  const fixtures = (values.fixtures ?? 'demo') === 'empty' ? 'empty' : 'demo';
  const token = values.token ?? process.env.EMULATOR_TOKEN;
  const fabricFault = values['fabric-fault'] ?? process.env.FABRIC_FAULT;
  if (fabricFault && !FABRIC_FAULTS.includes(fabricFault as FabricFault)) {
    throw new Error(
      `--fabric-fault must be one of ${FABRIC_FAULTS.join(
        ', ',
      )}, not ${fabricFault}`,
    );
  }
  const outDir = path.resolve(values['out-dir'] ?? '.emulators');

  const started = Date.now();
  // One CA for every Kubernetes API the emulators serve: the demo cluster's and created ones'.
  const tls = createLoopbackTls([host]);
  const kube = await startKubeEmulator({
    host,
    port: kubePort,
    token,
    fixtures,
    tls,
    ...(fabricFault && {
      scenarios: { fabricFault: fabricFault as FabricFault },
    }),
  });
  const controlPlanes = kubeEmulatorControlPlanes({
    host,
    token: kube.token,
    tls,
  });
  const gke =
    gkePort > 0
      ? await startGkeEmulator({
          host,
          port: gkePort,
          token: kube.token,
          fixtures,
          operationStepMs,
          controlPlanes,
          tlsMaterial: tls,
        })
      : undefined;
  // Application Default Credentials for the backend (GCE_METADATA_HOST): the emulators' token.
  const metadata =
    metadataPort > 0
      ? await startMetadataEmulator({
          host,
          port: metadataPort,
          accessToken: kube.token,
          projectId: DEMO.project,
        })
      : undefined;

  // Unauthenticated, as clients pointed at it with STORAGE_EMULATOR_HOST send no credentials.
  const gcs =
    gcsPort > 0 ? await startGcsEmulator({ host, port: gcsPort }) : undefined;

  // Compute, Service Usage and Resource Manager for preflight; the token comes from the metadata
  // server (Application Default Credentials), as on Google Cloud.
  const cloud =
    cloudPort > 0
      ? await startCloudApisEmulator({
          host,
          port: cloudPort,
          token: kube.token,
          fixtures,
        })
      : undefined;

  const admin =
    adminPort > 0
      ? await startEmulatorAdmin({ kube, token: kube.token, port: adminPort })
      : undefined;

  await fs.mkdir(outDir, { recursive: true, mode: 0o700 });
  const kubeconfigPath = path.join(outDir, 'kubeconfig');
  await kube.writeKubeconfig(kubeconfigPath);
  // The offline stand-in for Kueue's release manifest, for the template's kubectl step.
  await writeKueueReleaseStandIn(path.join(outDir, 'kueue-manifests.yaml'));
  // A CA file for clients configured by path, such as the Backstage kubernetes plugin's caFile.
  await fs.writeFile(path.join(outDir, 'kubernetes-ca.pem'), kube.caPem);
  if (gke?.caCertPem) {
    await fs.writeFile(path.join(outDir, 'gke-ca.pem'), gke.caCertPem);
  }
  const infoPath = path.join(outDir, 'emulators.json');
  const info = {
    kubernetes: {
      url: kube.url,
      caPem: kube.caPem,
      token: kube.token,
      kubeconfig: kubeconfigPath,
    },
    ...(gke
      ? {
          gke: { address: gke.address, caPem: gke.caCertPem, token: gke.token },
        }
      : {}),
    ...(metadata ? { metadata: { address: metadata.address } } : {}),
    ...(gcs ? { gcs: { url: gcs.url } } : {}),
    ...(cloud ? { cloudApis: { url: cloud.url } } : {}),
    ...(admin ? { admin: { url: admin.url } } : {}),
  };
  await fs.writeFile(infoPath, `${JSON.stringify(info, null, 2)}\n`, {
    mode: 0o600,
  });

  // One line, no secrets: the token and CA are in the files.
  console.log(
    `emulators ready in ${Date.now() - started} ms: kubernetes ${kube.url}${
      gke ? `, gke ${gke.address}` : ''
    }${metadata ? `, metadata ${metadata.address}` : ''}${
      gcs ? `, gcs ${gcs.url}` : ''
    }${cloud ? `, compute/serviceusage/resourcemanager ${cloud.url}` : ''}${
      admin ? `, admin ${admin.url}` : ''
    }; kubeconfig ${kubeconfigPath}; details ${infoPath}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping emulators`);
    await Promise.allSettled([
      kube.stop(),
      gke?.stop(),
      metadata?.stop(),
      gcs?.stop(),
      cloud?.stop(),
      admin?.stop(),
      controlPlanes.stopAll(),
    ]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(error => {
  console.error(`emulators failed to start: ${error?.message ?? error}`);
  process.exit(1);
});

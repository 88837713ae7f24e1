import {
  NCCL_RESULT_MARKER,
  ncclMinBusBandwidthGBps,
  poolGpuCount,
  verificationEnabled,
  verificationPool,
  type GpuStackSpec,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import { gpuPodPlacement, rdmaPodParts } from './gpuPods';
import { object } from './meta';
import type { KubeObject } from './types';

/** Name of the verification Job (and its headless Service). @public */
export const NCCL_TEST_JOB_NAME = 'nccl-allgather-test';
/** Marker line the Job prints; the status plugin parses it. @public */
export { NCCL_RESULT_MARKER };

// Rank 0 waits for its peers, runs all_gather_perf over MPI (1 KiB to 8 GiB, as Google's A3 Ultra
// acceptance test does) and compares the bus bandwidth of the largest size (the last row's
// out-of-place busbw; the average is dominated by latency-bound sizes) with the threshold; the other ranks
// serve SSH until rank 0 is gone. Every value comes from environment variables set below from the
// validated spec, never from text spliced into the script.
const NCCL_TEST_SCRIPT = String.raw`set -uo pipefail
__NCCL_SETUP__
SSH_PORT=2222
mkdir -p /run/sshd && /usr/sbin/sshd -p "$SSH_PORT"
host_of() { echo "$JOB_NAME-$1.$JOB_NAME"; }
wait_for() { for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/$1/$SSH_PORT") 2>/dev/null && return 0; sleep 5; done; return 1; }
if [ "$JOB_COMPLETION_INDEX" != "0" ]; then
  wait_for "$(host_of 0)" || exit 1
  while (exec 3<>"/dev/tcp/$(host_of 0)/$SSH_PORT") 2>/dev/null; do sleep 10; done
  exit 0
fi
HOSTS=""
for i in $(seq 0 $((NODES - 1))); do
  wait_for "$(host_of "$i")" || { echo "peer $i never came up"; exit 1; }
  HOSTS="$HOSTS,$(host_of "$i"):$GPUS_PER_NODE"
done
mpirun --allow-run-as-root -np $((NODES * GPUS_PER_NODE)) -H "${'${'}HOSTS#,}" \
  --mca plm_rsh_args "-p $SSH_PORT -o StrictHostKeyChecking=no" \
  -x NCCL_NET -x LD_LIBRARY_PATH -x NCCL_DEBUG=INFO -x NCCL_DEBUG_SUBSYS=INIT,NET \
  all_gather_perf -b 1K -e 8G -f 2 -g 1 -w 5 --iters 100 2>&1 | tee /tmp/nccl.log
BUSBW=$(awk '$1 ~ /^[0-9]+$/ && NF >= 11 && NF <= 13 { v = $(NF-5) } END { print v }' /tmp/nccl.log)
AVG=$(awk -F: '/Avg bus bandwidth/ {gsub(/ /, "", $2); print $2}' /tmp/nccl.log)
TRANSPORT=$(grep -o 'NET/[A-Za-z]*' /tmp/nccl.log | head -n 1)
echo "${NCCL_RESULT_MARKER} busbw=${'${'}BUSBW:-0} avg=${'${'}AVG:-0} threshold=$MIN_BUS_BW transport=${'${'}TRANSPORT:-unknown}"
awk -v b="${'${'}BUSBW:-0}" -v t="$MIN_BUS_BW" 'BEGIN { exit !(b >= t) }'
`;

/**
 * The NCCL all-gather verification Job (seed 001 step 10): an Indexed Job over N RDMA nodes,
 * suspended and labelled with the LocalQueue so Kueue admits it through the DWS admission check,
 * with `provreq.kueue.x-k8s.io/maxRunDurationSeconds` bounding the flex-start nodes.
 */
export function renderVerificationJob(spec: GpuStackSpec): KubeObject[] {
  if (!verificationEnabled(spec) || !spec.kueue.enabled) return [];
  const pool = verificationPool(spec);
  if (!pool) return [];
  const test = spec.verification.ncclAllGather;
  const ns = spec.kueue.namespace;
  const gpus = poolGpuCount(pool);
  const placement = gpuPodPlacement(pool);
  const rdma = rdmaPodParts(spec, pool);
  // The threshold comes from the accelerator catalog unless the spec overrides it; an RDMA pool
  // of a machine type the catalog has no figure for keeps the spec's value or 1 GB/s.
  const minBusBw =
    ncclMinBusBandwidthGBps(pool.machineType, test.minBusBandwidthGBps) ?? 1;
  const script = NCCL_TEST_SCRIPT.replace('__NCCL_SETUP__', rdma.ncclSetup);
  return [
    object(
      spec,
      'verification',
      'v1',
      'Service',
      { name: NCCL_TEST_JOB_NAME, namespace: ns },
      {
        spec: {
          clusterIP: 'None',
          selector: { 'job-name': NCCL_TEST_JOB_NAME },
          ports: [{ name: 'ssh', port: 2222 }],
        },
      },
    ),
    object(
      spec,
      'verification',
      'batch/v1',
      'Job',
      {
        name: NCCL_TEST_JOB_NAME,
        namespace: ns,
        labels: { 'kueue.x-k8s.io/queue-name': spec.kueue.localQueueName },
        annotations: {
          'provreq.kueue.x-k8s.io/maxRunDurationSeconds': String(
            test.maxRunDurationSeconds,
          ),
        },
      },
      {
        spec: {
          suspend: true,
          completionMode: 'Indexed',
          completions: test.nodes,
          parallelism: test.nodes,
          backoffLimit: 0,
          ttlSecondsAfterFinished: 86400,
          template: {
            metadata: { annotations: rdma.annotations },
            spec: {
              subdomain: NCCL_TEST_JOB_NAME,
              restartPolicy: 'Never',
              nodeSelector: placement.nodeSelector,
              tolerations: placement.tolerations,
              containers: [
                {
                  name: 'nccl-test',
                  image: test.image,
                  command: ['/bin/bash', '-c'],
                  args: [script],
                  env: [
                    ...rdma.env,
                    { name: 'JOB_NAME', value: NCCL_TEST_JOB_NAME },
                    { name: 'NODES', value: String(test.nodes) },
                    { name: 'GPUS_PER_NODE', value: String(gpus) },
                    {
                      name: 'MIN_BUS_BW',
                      value: String(minBusBw),
                    },
                  ],
                  securityContext: { privileged: true },
                  resources: {
                    limits: { 'nvidia.com/gpu': String(gpus) },
                    requests: { 'nvidia.com/gpu': String(gpus) },
                  },
                  volumeMounts: rdma.volumeMounts,
                },
              ],
              volumes: rdma.volumes,
            },
          },
        },
      },
    ),
  ];
}

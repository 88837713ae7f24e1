import { createHash } from 'node:crypto';
import type { KubeClient } from '../kube/KubeClient';
import { setCondition } from '../kube/objects';
import type { Stage } from './ScenarioEngine';

/**
 * The Deployment controller's status, as kube-controller-manager writes it, without Pods or
 * ReplicaSets: a new generation is observed at once (new ReplicaSet scaled up, old Pods still
 * terminating), and after `readyMs` every replica is ready and available. That is what
 * `kubectl rollout status deployment/<name>` reads: `observedGeneration` ≥ `generation`, then
 * `updatedReplicas` = `spec.replicas`, `replicas` = `updatedReplicas` and `availableReplicas` ≥
 * `updatedReplicas`, with a `Progressing` condition that is not `ProgressDeadlineExceeded`.
 */

const APPS = 'apps/v1';

interface DeploymentCondition {
  type: 'Available' | 'Progressing';
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** `<deployment>-<pod-template-hash>`, the name of the ReplicaSet a template gets. */
export function replicaSetName(deployment: Record<string, any>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(deployment.spec?.template ?? {}))
    .digest('hex');
  // pod-template-hash is a short alphanumeric string; keep the hex of the same length.
  return `${deployment.metadata.name}-${hash.slice(0, 10)}`;
}

/** The API omits zero counts (`omitempty`). */
function omitZeroCounts(status: Record<string, any>) {
  for (const key of [
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ])
    if (status[key] === 0) delete status[key];
}

/** Whether a Deployment has a generation its status has not observed yet. */
export function needsRollout(deployment: Record<string, any>): boolean {
  return (
    !deployment.metadata.deletionTimestamp &&
    (deployment.status?.observedGeneration ?? 0) <
      (deployment.metadata.generation ?? 1)
  );
}

/** The stages of one rollout of `deployment`'s current generation. */
export function deploymentRolloutStages(
  client: KubeClient,
  deployment: Record<string, any>,
  readyMs: number,
  now: () => string,
): Stage[] {
  const { name, namespace } = deployment.metadata;
  const generation: number = deployment.metadata.generation ?? 1;
  const current = () => client.get(APPS, 'Deployment', name, namespace);
  // A newer generation (or a deletion) supersedes this rollout.
  const stillCurrent = () => current()?.metadata.generation === generation;
  const update = (mutate: (status: Record<string, any>) => void) =>
    client.modify(APPS, 'Deployment', name, namespace, o => {
      o.status = { ...(o.status ?? {}) };
      mutate(o.status);
    });
  const desired = (): number => current()?.spec?.replicas ?? 1;
  return [
    {
      name: 'deployment-observed',
      afterMs: 0,
      run: () => {
        if (!stillCurrent()) return;
        const rs = replicaSetName(current()!);
        update(status => {
          const replicas = desired();
          // Pods of the previous ReplicaSet stay available until the new ones are.
          const old = status.observedGeneration
            ? status.availableReplicas ?? 0
            : 0;
          const time = now();
          status.observedGeneration = generation;
          status.replicas = replicas + old;
          status.updatedReplicas = replicas;
          status.readyReplicas = old;
          status.availableReplicas = old;
          status.unavailableReplicas = replicas;
          omitZeroCounts(status);
          status.conditions = setCondition<DeploymentCondition>(
            setCondition<DeploymentCondition>(
              status.conditions,
              old >= replicas
                ? {
                    type: 'Available',
                    status: 'True',
                    reason: 'MinimumReplicasAvailable',
                    message: 'Deployment has minimum availability.',
                    lastUpdateTime: time,
                    lastTransitionTime: time,
                  }
                : {
                    type: 'Available',
                    status: 'False',
                    reason: 'MinimumReplicasUnavailable',
                    message: 'Deployment does not have minimum availability.',
                    lastUpdateTime: time,
                    lastTransitionTime: time,
                  },
            ),
            {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${rs}" is progressing.`,
              lastUpdateTime: time,
              lastTransitionTime: time,
            },
          );
        });
      },
    },
    {
      name: 'deployment-available',
      afterMs: readyMs,
      run: () => {
        if (!stillCurrent()) return;
        const rs = replicaSetName(current()!);
        update(status => {
          const replicas = desired();
          const time = now();
          status.replicas = replicas;
          status.updatedReplicas = replicas;
          status.readyReplicas = replicas;
          status.availableReplicas = replicas;
          status.unavailableReplicas = 0;
          omitZeroCounts(status);
          status.conditions = setCondition<DeploymentCondition>(
            setCondition<DeploymentCondition>(status.conditions, {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
              lastUpdateTime: time,
              lastTransitionTime: time,
            }),
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${rs}" has successfully progressed.`,
              lastUpdateTime: time,
              lastTransitionTime: time,
            },
          );
        });
      },
    },
  ];
}

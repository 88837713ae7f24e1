import { useApiHolder } from '@backstage/core-plugin-api';
import type {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import type { JsonObject } from '@backstage/types';
import {
  stackNames,
  type GpuStackSpec,
  type StackUpdatePreviewResponse,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { StackUpdateClient } from './stackUpdateClient';

type Spec = GpuStackSpec & JsonObject;

const entityRefOf = (formContext: unknown): string | undefined => {
  const ref = (formContext as { formData?: { entityRef?: unknown } })?.formData
    ?.entityRef;
  return typeof ref === 'string' && ref ? ref : undefined;
};

/** The backend's own message of a failed call (ResponseError keeps it as its cause). */
const messageOf = (error: Error) =>
  (error as { cause?: Error }).cause?.message ?? error.message;

const clone = <T,>(value: T): T => JSON.parse(JSON.stringify(value));

/** A number field that keeps the spec's integers (an empty field leaves the value unset). */
function CountField(props: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
}) {
  return (
    <TextField
      label={props.label}
      type="number"
      size="small"
      variant="outlined"
      value={props.value ?? ''}
      inputProps={{ min: 0, 'aria-label': props.label }}
      onChange={event => {
        const text = event.target.value;
        props.onChange(text === '' ? undefined : Number(text));
      }}
    />
  );
}

/** What the review of an edit shows: refused fields, objects and Terraform variables. */
export function StackUpdateDiff(props: { answer: StackUpdatePreviewResponse }) {
  const { answer } = props;
  const preview = answer.preview;
  const issues = answer.valid ? [] : answer.issues;
  const nothing =
    preview && preview.objects.length === 0 && preview.variables.length === 0;
  return (
    <Box mt={2} aria-label="What this update changes" role="region">
      <Typography variant="h6">What this update changes</Typography>
      {issues.map(issue => (
        <Alert severity="error" key={`${issue.path}:${issue.message}`}>
          {issue.path}: {issue.message}
        </Alert>
      ))}
      {nothing && issues.length === 0 && (
        <Typography>Nothing: the values are the ones applied.</Typography>
      )}
      {preview && preview.variables.length > 0 && (
        <>
          <Typography variant="subtitle2">
            Terraform variables (the plan runs with the stack's state when you
            submit)
          </Typography>
          <ul aria-label="Terraform variables that change">
            {preview.variables.map(v => (
              <li key={v.path}>
                <code>{v.path}</code>: {JSON.stringify(v.from) ?? 'unset'} →{' '}
                {JSON.stringify(v.to) ?? 'unset'}
              </li>
            ))}
          </ul>
        </>
      )}
      {preview && preview.objects.length > 0 && (
        <>
          <Typography variant="subtitle2">Kubernetes objects</Typography>
          <ul aria-label="Kubernetes objects that change">
            {preview.objects.map(o => (
              <li key={`${o.change}:${o.kind}:${o.namespace}:${o.name}`}>
                {o.change} {o.kind}{' '}
                {o.namespace ? `${o.namespace}/${o.name}` : o.name}
              </li>
            ))}
          </ul>
        </>
      )}
    </Box>
  );
}

/**
 * The "Update GPU cluster" form's editor: loads the spec stored with the picked cluster (owners
 * only), shows what identifies the stack read-only, and edits what an update may change — the
 * node pools' sizes, added and removed pools, the Ray worker groups and the queues. Below, the
 * review of the edit (Terraform variables and Kubernetes objects that change, refused fields),
 * rendered by the backend; the update action checks all of it again.
 */
export function GpuStackUpdate(
  props: FieldExtensionComponentProps<JsonObject>,
) {
  const { onChange } = props;
  const apis = useApiHolder();
  const client = useMemo(() => StackUpdateClient.from(apis), [apis]);
  const entityRef = entityRefOf(props.formContext);
  const stored = useAsync(async () => {
    if (!client || !entityRef) return undefined;
    return client.getStoredSpec(entityRef);
  }, [client, entityRef]);
  const spec = props.formData as Spec | undefined;

  // Start from the stored spec, and again when another cluster is picked.
  useEffect(() => {
    const answer = stored.value;
    if (!answer) return;
    const current = props.formData as Spec | undefined;
    if (
      !current?.identity ||
      current.identity.namePrefix !== answer.spec.identity.namePrefix ||
      current.identity.projectId !== answer.spec.identity.projectId
    ) {
      onChange(clone(answer.spec) as JsonObject);
    }
    // Only when the stored spec arrives: the user's edits are the form's data after that.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stored.value]);

  const [review, setReview] = useState<StackUpdatePreviewResponse>();
  const [reviewError, setReviewError] = useState<Error>();
  useDebounce(
    () => {
      if (!client || !entityRef || !spec?.identity) return;
      client.previewUpdate(entityRef, spec).then(
        answer => {
          setReview(answer);
          setReviewError(undefined);
        },
        error => setReviewError(error),
      );
    },
    400,
    [client, entityRef, JSON.stringify(spec ?? null)],
  );

  if (!entityRef) {
    return <Typography>Pick a GPU cluster on the first page.</Typography>;
  }
  if (stored.error) {
    return (
      <Alert severity="error">
        Cannot load the spec of {entityRef}: {messageOf(stored.error)}
      </Alert>
    );
  }
  if (!spec?.identity || !stored.value) {
    return <Typography>Loading the spec of {entityRef}…</Typography>;
  }
  const update = (patch: (draft: Spec) => void) => {
    const draft = clone(spec);
    patch(draft);
    onChange(draft as JsonObject);
  };
  const names = stackNames(stored.value.spec);
  const storedPools = new Set(stored.value.spec.nodePools.map(p => p.name));
  const poolNames = spec.nodePools.map(p => p.name);

  return (
    <Box>
      <Typography variant="h6">{names.clusterName}</Typography>
      <Typography variant="body2" aria-label="Fixed for this cluster">
        Project {spec.identity.projectId}, region {spec.identity.region}, zones{' '}
        {spec.identity.zones.join(', ')}, owner {spec.identity.owner}, networks{' '}
        {[names.primaryNetwork, names.gvnicNetwork].join(', ')}. These identify
        the cluster and cannot change here: create a new cluster for them.
      </Typography>

      <Box mt={2}>
        <Typography variant="subtitle1">GPU node pools</Typography>
        {spec.nodePools.map((pool, index) => {
          const existing = storedPools.has(pool.name);
          return (
            <Box
              key={index}
              display="flex"
              alignItems="center"
              gridGap={8}
              mt={1}
              role="group"
              aria-label={`Node pool ${pool.name}`}
            >
              <TextField
                label="Name"
                size="small"
                variant="outlined"
                value={pool.name}
                disabled={existing}
                inputProps={{ 'aria-label': 'Name' }}
                onChange={event =>
                  update(s => {
                    s.nodePools[index].name = event.target.value;
                  })
                }
              />
              <Typography variant="body2">
                {pool.machineType}, {pool.gpu?.count ?? ''}×{' '}
                {pool.gpu?.type ?? 'GPU'}, {pool.provisioning.mode}
              </Typography>
              <CountField
                label="Min nodes"
                value={pool.minNodes}
                onChange={value =>
                  update(s => {
                    (s.nodePools[index] as any).minNodes = value;
                  })
                }
              />
              <CountField
                label="Max nodes"
                value={pool.maxNodes}
                onChange={value =>
                  update(s => {
                    (s.nodePools[index] as any).maxNodes = value;
                  })
                }
              />
              <Button
                size="small"
                disabled={spec.nodePools.length <= 1}
                onClick={() =>
                  update(s => {
                    s.nodePools.splice(index, 1);
                  })
                }
              >
                Remove
              </Button>
            </Box>
          );
        })}
        <Button
          size="small"
          disabled={spec.nodePools.length >= 8}
          onClick={() =>
            update(s => {
              // A new pool starts as a copy of the last one, under a new name.
              const copy = clone(s.nodePools[s.nodePools.length - 1]);
              let n = s.nodePools.length + 1;
              while (poolNames.includes(`pool-${n}`)) n++;
              copy.name = `pool-${n}`;
              s.nodePools.push(copy);
            })
          }
        >
          Add node pool
        </Button>
      </Box>

      {spec.ray.enabled && (
        <Box mt={2}>
          <Typography variant="subtitle1">Ray worker groups</Typography>
          {spec.ray.workerGroups.map((group, index) => (
            <Box
              key={index}
              display="flex"
              alignItems="center"
              gridGap={8}
              mt={1}
              role="group"
              aria-label={`Ray worker group ${group.name}`}
            >
              <Typography variant="body2">{group.name}</Typography>
              <TextField
                select
                label="Node pool"
                size="small"
                variant="outlined"
                value={
                  group.nodePool && poolNames.includes(group.nodePool)
                    ? group.nodePool
                    : ''
                }
                onChange={event =>
                  update(s => {
                    s.ray.workerGroups[index].nodePool = event.target.value;
                  })
                }
              >
                {poolNames.map(name => (
                  <MenuItem key={name} value={name}>
                    {name}
                  </MenuItem>
                ))}
              </TextField>
              <CountField
                label="Min workers"
                value={group.minReplicas}
                onChange={value =>
                  update(s => {
                    (s.ray.workerGroups[index] as any).minReplicas = value;
                  })
                }
              />
              <CountField
                label="Max workers"
                value={group.maxReplicas}
                onChange={value =>
                  update(s => {
                    (s.ray.workerGroups[index] as any).maxReplicas = value;
                  })
                }
              />
            </Box>
          ))}
        </Box>
      )}

      {spec.kueue.enabled && (
        <Box mt={2} display="flex" gridGap={8} alignItems="center">
          <Typography variant="subtitle1">Queues</Typography>
          <TextField
            label="LocalQueue"
            size="small"
            variant="outlined"
            value={spec.kueue.localQueueName}
            inputProps={{ 'aria-label': 'LocalQueue' }}
            onChange={event =>
              update(s => {
                s.kueue.localQueueName = event.target.value;
              })
            }
          />
          <TextField
            label="ClusterQueue"
            size="small"
            variant="outlined"
            value={spec.kueue.clusterQueueName}
            inputProps={{ 'aria-label': 'ClusterQueue' }}
            onChange={event =>
              update(s => {
                s.kueue.clusterQueueName = event.target.value;
              })
            }
          />
          <CountField
            label="GPU quota"
            value={spec.kueue.gpuQuota}
            onChange={value =>
              update(s => {
                (s.kueue as any).gpuQuota = value;
              })
            }
          />
        </Box>
      )}

      {reviewError && (
        <Alert severity="warning">
          The review is not available ({messageOf(reviewError)}); the update
          checks everything again when it runs.
        </Alert>
      )}
      {review && <StackUpdateDiff answer={review} />}
    </Box>
  );
}

/**
 * Runs when the user presses Review: the backend's review of the edit (validation,
 * gpuCluster.policy, fields an update may not change), each issue reported on this field.
 */
export const gpuStackUpdateValidation: CustomFieldValidator<
  JsonObject
> = async (value, validation, context) => {
  const client = StackUpdateClient.from(context.apiHolder);
  const entityRef = entityRefOf({ formData: context.formData });
  if (!client || !entityRef || !value) return;
  let answer: StackUpdatePreviewResponse;
  try {
    answer = await client.previewUpdate(entityRef, value);
  } catch {
    // Unreachable review: the action checks everything again before it changes anything.
    return;
  }
  if (!answer.valid) {
    for (const issue of answer.issues)
      validation.addError(`${issue.path}: ${issue.message}`);
  }
};

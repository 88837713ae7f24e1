import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { JsonObject } from '@backstage/types';
import {
  FIELD_PRESENTATION,
  GPU_CLUSTER_PRESETS,
  findAccelerator,
  matchingPreset,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormHelperText from '@material-ui/core/FormHelperText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { useMemo, type ComponentType } from 'react';
import { narrowNodePool } from './catalogChoices';
import { PolicyRefusal, useStackPolicy } from './useStackPolicy';
import {
  liftMultiSelectErrors,
  openWhereErrors,
  withGroupedTemplate,
} from './GroupedObjectFieldTemplate';

type Pool = JsonObject & {
  name?: string;
  machineType?: string;
  provisioning?: JsonObject & { mode?: string };
  gpu?: JsonObject & { type?: string; count?: number };
};

const CUSTOM = 'custom';

/**
 * Drops fields the presentation shows only for other values of a sibling (a reservation after
 * leaving reservation mode, …): hidden values would otherwise reach the spec, which refuses
 * some of them ("a reservation cannot be consumed in spot mode").
 */
export function withoutHiddenFields(value: unknown, key: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = { ...(value as Record<string, unknown>) };
  for (const [name, child] of Object.entries(object)) {
    const childKey = `${key}.${name}`;
    const showWhen = FIELD_PRESENTATION[childKey]?.showWhen;
    const sibling = object[showWhen?.sibling ?? ''];
    if (
      showWhen &&
      sibling !== undefined &&
      !showWhen.oneOf.includes(sibling as string | boolean)
    ) {
      delete object[name];
    } else {
      object[name] = withoutHiddenFields(child, childKey);
    }
  }
  return object;
}

/** Keeps a pool consistent after an edit: hidden mode fields go, GPUs follow the machine type. */
export function normalizePool(next: Pool, previous: Pool | undefined): Pool {
  const pool = withoutHiddenFields(next, 'nodePools[]') as Pool;
  if (pool.machineType !== previous?.machineType && pool.gpu) {
    const entry = findAccelerator(pool.machineType ?? '');
    const gpu = { ...pool.gpu };
    if (gpu.type !== undefined && gpu.type !== entry?.gpuType) delete gpu.type;
    if (gpu.count !== undefined && !entry?.gpuCounts.includes(gpu.count))
      delete gpu.count;
    pool.gpu = gpu;
  }
  return pool;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The GPU node pools: a preset picker ("8× H200, DWS queued, for training", …) that fills the
 * first pool, then each pool with its essentials in view and the rest in a collapsed "Node pool
 * details" group. GPU model and count are limited to what the machine type carries; fields of
 * other provisioning modes are dropped when the mode changes. A user whom gpuCluster.policy lets
 * create no GPU cluster sees why and what to ask the platform team for instead.
 */
export function GpuNodePools(
  props: FieldExtensionComponentProps<Pool[], { section?: string }>,
) {
  const {
    registry,
    schema,
    uiSchema,
    idSchema,
    errorSchema,
    onChange,
    onBlur,
    onFocus,
    disabled,
    readonly,
  } = props;
  const pools: Pool[] = Array.isArray(props.formData) ? props.formData : [];
  const groupedRegistry = useMemo(
    () => withGroupedTemplate(registry),
    [registry],
  );
  const itemSchema = (schema as RJSFSchema).items as RJSFSchema;
  const maxItems = (schema as RJSFSchema).maxItems ?? 8;
  // The theme's SchemaField renders one pool (an object), not the array this field holds.
  const SchemaField = registry.fields.SchemaField as ComponentType<any>;
  const idSeparator = '_';
  const preset = pools[0] ? matchingPreset(pools[0]) : undefined;
  const presetFieldId = `${idSchema.$id}${idSeparator}preset`;
  const title = (schema as RJSFSchema).title ?? 'GPU node pools';
  const help = (schema as RJSFSchema).description;
  const listErrors = (errorSchema as ErrorSchema | undefined)?.__errors ?? [];
  const policy = useStackPolicy(true);

  const setPools = (next: Pool[]) => onChange(next);
  const choosePreset = (id: string) => {
    const chosen = GPU_CLUSTER_PRESETS.find(p => p.id === id);
    if (!chosen) return;
    setPools([clone(chosen.nodePool) as Pool, ...pools.slice(1)]);
  };

  if (policy.value?.refusal) {
    return (
      <Box mb={2}>
        <PolicyRefusal refusal={policy.value.refusal} />
      </Box>
    );
  }

  return (
    <Box mb={2}>
      <Typography variant="h5" component="h2" gutterBottom>
        {title}
      </Typography>
      {help && (
        <Typography variant="body2" color="textSecondary" paragraph>
          {help}
        </Typography>
      )}
      <TextField
        id={presetFieldId}
        select
        fullWidth
        variant="outlined"
        margin="normal"
        label={pools.length > 1 ? 'Preset (first node pool)' : 'Preset'}
        value={preset?.id ?? CUSTOM}
        onChange={event => choosePreset(event.target.value)}
        disabled={disabled || readonly}
        helperText={
          preset?.description ??
          'Your own combination. Pick a preset to start from one of the common setups.'
        }
      >
        {GPU_CLUSTER_PRESETS.map(p => (
          <MenuItem key={p.id} value={p.id}>
            {p.title}
          </MenuItem>
        ))}
        <MenuItem value={CUSTOM} disabled>
          Custom
        </MenuItem>
      </TextField>

      {pools.map((pool, index) => {
        const itemIdSchema = registry.schemaUtils.toIdSchema(
          itemSchema,
          `${idSchema.$id}${idSeparator}${index}`,
          pool as any,
          undefined,
          idSeparator,
        );
        const itemErrors = (errorSchema as Record<number, ErrorSchema>)?.[
          index
        ];
        const item = narrowNodePool(
          itemSchema,
          ((uiSchema as UiSchema | undefined)?.items ?? {}) as UiSchema,
          pool.machineType,
        );
        return (
          <Box key={index} mt={3}>
            <SchemaField
              name={String(index)}
              schema={{
                ...item.schema,
                title:
                  pools.length > 1
                    ? `${itemSchema.title} ${index + 1}`
                    : itemSchema.title,
              }}
              uiSchema={openWhereErrors(item.uiSchema, itemErrors)}
              idSchema={itemIdSchema}
              formData={pool}
              errorSchema={liftMultiSelectErrors(itemErrors, item.uiSchema)}
              onChange={(next: Pool) =>
                setPools(
                  pools.map((p, i) =>
                    i === index ? normalizePool(next ?? {}, p) : p,
                  ),
                )
              }
              onBlur={onBlur}
              onFocus={onFocus}
              registry={groupedRegistry}
              required
              disabled={disabled}
              readonly={readonly}
            />
            {pools.length > 1 && (
              <Button
                variant="outlined"
                onClick={() => setPools(pools.filter((_, i) => i !== index))}
                disabled={disabled || readonly}
              >
                Remove node pool {index + 1}
              </Button>
            )}
          </Box>
        );
      })}
      {listErrors.map(message => (
        <FormHelperText key={message} error>
          {message}
        </FormHelperText>
      ))}
      {pools.length < maxItems && (
        <Box mt={2}>
          <Button
            variant="outlined"
            color="primary"
            onClick={() =>
              setPools([...pools, { name: `gpu-pool-${pools.length + 1}` }])
            }
            disabled={disabled || readonly}
          >
            Add a node pool
          </Button>
        </Box>
      )}
    </Box>
  );
}

import { Progress } from '@backstage/core-components';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { JsonObject } from '@backstage/types';
import Typography from '@material-ui/core/Typography';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { useEffect, useMemo, useRef } from 'react';
import {
  machineTypesOf,
  narrowIdentity,
  zonesAfterMachineChange,
  zonesAfterRegionChange,
  type SchemaAndUi,
} from './catalogChoices';
import {
  liftMultiSelectErrors,
  openWhereErrors,
  withGroupedTemplate,
} from './GroupedObjectFieldTemplate';
import {
  narrowIdentityToPolicy,
  ownerAllowance,
  ownerGroup,
} from './policyChoices';
import { PolicyUnavailable, useStackPolicy } from './useStackPolicy';

/** `ui:options` of a section (set by the template generator from the presentation layer). */
export interface GpuStackSectionOptions {
  /** The spec section this field holds, e.g. `identity`. */
  section?: string;
  collapsed?: boolean;
}

/**
 * One top-level section of the stack spec (`identity`, `cluster`, `network`, …): the section's
 * fields as the form theme renders them, with the presentation's collapsed groups, the section
 * collapsed when the presentation says so, and whatever holds an error opened. For `identity`,
 * region and zones are chosen from where the node pools' machine types are offered, and changing
 * the region moves the zones along; owner and project are limited to what gpuCluster.policy lets
 * the signed-in user create.
 */
export function GpuStackSection(
  props: FieldExtensionComponentProps<JsonObject, GpuStackSectionOptions>,
) {
  const { registry, schema, uiSchema, formData, onChange, errorSchema } = props;
  const section = uiSchema?.['ui:options']?.section;
  const groupedRegistry = useMemo(
    () => withGroupedTemplate(registry),
    [registry],
  );
  const stackFormData = (registry.formContext as { formData?: JsonObject })
    ?.formData;
  const machineTypes = machineTypesOf(stackFormData?.nodePools);

  // When the node pools switch to a machine type the chosen zones do not offer, move to a zone
  // of the region that does (only on a change: values the user arrived with stay, and are
  // reported on Next).
  const machineKey = machineTypes.join(',');
  const previousMachines = useRef(machineKey);
  useEffect(() => {
    if (section !== 'identity' || previousMachines.current === machineKey) {
      return;
    }
    previousMachines.current = machineKey;
    const zones = zonesAfterMachineChange(
      formData?.region,
      formData?.zones,
      machineKey.split(','),
    );
    if (zones) onChange({ ...formData, zones });
  }, [section, machineKey, formData, onChange]);

  const policy = useStackPolicy(section === 'identity');

  let field: SchemaAndUi =
    section === 'identity'
      ? narrowIdentity(
          schema as RJSFSchema,
          (uiSchema ?? {}) as UiSchema,
          formData,
          machineTypes,
        )
      : {
          schema: schema as RJSFSchema,
          uiSchema: (uiSchema ?? {}) as UiSchema,
        };
  if (section === 'identity' && policy.value) {
    field = narrowIdentityToPolicy(field, formData, policy.value);
  }

  const handleChange: typeof onChange = (value, ...rest) => {
    let next = value;
    if (
      section === 'identity' &&
      next &&
      typeof next.region === 'string' &&
      next.region !== formData?.region
    ) {
      next = {
        ...next,
        zones: zonesAfterRegionChange(next.region, next.zones, machineTypes),
      };
    }
    onChange(next, ...rest);
  };

  const { ObjectField } = registry.fields;
  if (section === 'identity') {
    // The owner picker reads its catalog filter once, when it mounts: wait for the policy.
    if (policy.loading) return <Progress />;
    // Nothing to choose: the node pools field says why and what to ask for.
    if (policy.value?.refusal) return null;
  }
  const allowed = policy.value && ownerGroup(policy.value, formData?.owner);
  const objectField = (
    <ObjectField
      {...(props as any)}
      errorSchema={liftMultiSelectErrors(
        errorSchema as ErrorSchema | undefined,
        field.uiSchema,
      )}
      schema={field.schema}
      uiSchema={openWhereErrors(
        field.uiSchema,
        errorSchema as ErrorSchema | undefined,
      )}
      registry={groupedRegistry}
      onChange={handleChange}
    />
  );
  if (section !== 'identity') return objectField;
  return (
    <>
      {policy.error && <PolicyUnavailable error={policy.error} />}
      {objectField}
      {allowed && (
        <Typography variant="body2" color="textSecondary">
          {ownerAllowance(allowed)}
        </Typography>
      )}
    </>
  );
}

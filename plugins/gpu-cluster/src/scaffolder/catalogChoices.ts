import {
  GPU_CLUSTER_PRESETS,
  GPU_MODEL_NAMES,
  REGION_LOCATIONS,
  findAccelerator,
  regionOfZone,
  regionsOfferingAll,
  zonesOffering,
  zonesOfferingAll,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

/** The machine types of the form's node pools (the spec default when a pool names none). */
export function machineTypesOf(nodePools: unknown): string[] {
  const fallback = GPU_CLUSTER_PRESETS[0].nodePool.machineType;
  if (!Array.isArray(nodePools) || nodePools.length === 0) return [fallback];
  return nodePools.map(pool =>
    typeof pool?.machineType === 'string' ? pool.machineType : fallback,
  );
}

function regionLabel(region: string): string {
  const where = REGION_LOCATIONS[region];
  return where ? `${region} (${where})` : region;
}

/** A schema with its uiSchema (labels of narrowed enums go into `ui:enumNames`). */
export interface SchemaAndUi {
  schema: RJSFSchema;
  uiSchema: UiSchema;
}

/**
 * The identity section with region and zones limited to where every node pool's machine type
 * is offered (as far as the accelerator catalog knows). Current values stay selectable, marked,
 * so nothing the user chose silently disappears.
 */
export function narrowIdentity(
  schema: RJSFSchema,
  uiSchema: UiSchema,
  identity: { region?: unknown; zones?: unknown } | undefined,
  machineTypes: string[],
): SchemaAndUi {
  const properties = schema.properties as Record<string, RJSFSchema>;
  if (!properties?.region || !properties?.zones) return { schema, uiSchema };
  const region =
    typeof identity?.region === 'string'
      ? identity.region
      : (properties.region.default as string);
  const zones: string[] = Array.isArray(identity?.zones)
    ? identity!.zones.filter((z): z is string => typeof z === 'string')
    : (properties.zones.default as string[]) ?? [];
  const machines = machineTypes.join(', ');

  const regions = regionsOfferingAll(machineTypes);
  const regionEnum = regions.includes(region) ? regions : [region, ...regions];
  const offeredZones = zonesOfferingAll(machineTypes, region);
  const zoneEnum = [
    ...offeredZones,
    ...zones.filter(zone => !offeredZones.includes(zone)),
  ];
  const notOffered = (zone: string) =>
    machineTypes.filter(
      m => findAccelerator(m) && !zonesOffering(m).includes(zone),
    );

  return {
    schema: {
      ...schema,
      properties: {
        ...properties,
        region: { ...properties.region, enum: regionEnum },
        zones: {
          ...properties.zones,
          uniqueItems: true,
          items: { ...(properties.zones.items as RJSFSchema), enum: zoneEnum },
        },
      },
    },
    uiSchema: {
      ...uiSchema,
      region: {
        ...(uiSchema.region as UiSchema),
        'ui:enumNames': regionEnum.map(r =>
          regions.includes(r)
            ? regionLabel(r)
            : `${regionLabel(r)} — ${machines} not offered here`,
        ),
      },
      zones: {
        ...(uiSchema.zones as UiSchema),
        'ui:enumNames': zoneEnum.map(zone => {
          if (regionOfZone(zone) !== region)
            return `${zone} — not in ${region}`;
          const missing = notOffered(zone);
          return missing.length
            ? `${zone} — ${missing.join(', ')} not offered here`
            : zone;
        }),
      },
    },
  };
}

/**
 * After the region changed, keeps the zones of the new region and otherwise picks its first zone
 * offering the machine types (so region and zone never disagree while the user picks).
 */
export function zonesAfterRegionChange(
  region: string,
  zones: unknown,
  machineTypes: string[],
): string[] {
  const kept = Array.isArray(zones)
    ? zones.filter(
        (z): z is string => typeof z === 'string' && regionOfZone(z) === region,
      )
    : [];
  if (kept.length) return kept;
  const offered = zonesOfferingAll(machineTypes, region);
  return offered.length ? [offered[0]] : [];
}

/**
 * After the machine types changed: the zones to switch to when some chosen zone does not offer
 * them and the region has zones that do (the offered ones kept, else the region's first);
 * `undefined` when nothing needs to change or nothing better exists.
 */
export function zonesAfterMachineChange(
  region: unknown,
  zones: unknown,
  machineTypes: string[],
): string[] | undefined {
  if (typeof region !== 'string' || !Array.isArray(zones)) return undefined;
  const offered = zonesOfferingAll(machineTypes, region);
  if (offered.length === 0) return undefined;
  const kept = zones.filter(
    (z): z is string => typeof z === 'string' && offered.includes(z),
  );
  if (kept.length === zones.length && kept.length > 0) return undefined;
  return kept.length ? kept : [offered[0]];
}

/** A node pool with GPU model and count limited to what its machine type carries. */
export function narrowNodePool(
  schema: RJSFSchema,
  uiSchema: UiSchema,
  machineType: unknown,
): SchemaAndUi {
  const entry =
    typeof machineType === 'string' ? findAccelerator(machineType) : undefined;
  const properties = schema.properties as Record<string, RJSFSchema>;
  const gpu = properties?.gpu;
  if (!entry || !gpu?.properties) return { schema, uiSchema };
  const gpuProperties = gpu.properties as Record<string, RJSFSchema>;
  const gpuUi = (uiSchema.gpu ?? {}) as UiSchema;
  return {
    schema: {
      ...schema,
      properties: {
        ...properties,
        gpu: {
          ...gpu,
          properties: {
            ...gpuProperties,
            type: { ...gpuProperties.type, enum: [entry.gpuType] },
            count: { ...gpuProperties.count, enum: [...entry.gpuCounts] },
          },
        },
      },
    },
    uiSchema: {
      ...uiSchema,
      gpu: {
        ...gpuUi,
        type: {
          ...(gpuUi.type as UiSchema),
          'ui:enumNames': [GPU_MODEL_NAMES[entry.gpuType]],
        },
      },
    },
  };
}

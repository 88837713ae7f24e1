import {
  machineTypesOf,
  narrowIdentity,
  narrowNodePool,
  zonesAfterMachineChange,
  zonesAfterRegionChange,
} from './catalogChoices';
import { normalizePool, withoutHiddenFields } from './GpuNodePools';

const identitySchema = {
  type: 'object' as const,
  properties: {
    region: { type: 'string' as const, default: 'us-central1' },
    zones: {
      type: 'array' as const,
      default: ['us-central1-b'],
      items: { type: 'string' as const },
    },
  },
};

describe('catalog-bound choices', () => {
  it('offers regions and zones where every pool machine type exists, keeping current values marked', () => {
    const { schema, uiSchema } = narrowIdentity(
      identitySchema,
      {},
      { region: 'us-central1', zones: ['us-central1-b', 'us-central1-a'] },
      ['a3-ultragpu-8g'],
    );
    const properties = schema.properties as any;
    expect(properties.region.enum).toContain('europe-west1');
    expect(properties.region.enum).not.toContain('us-west4');
    expect(properties.zones.items.enum).toEqual([
      'us-central1-b',
      'us-central1-a',
    ]);
    expect((uiSchema.zones as any)['ui:enumNames']).toEqual([
      'us-central1-b',
      'us-central1-a — a3-ultragpu-8g not offered here',
    ]);
    expect((uiSchema.region as any)['ui:enumNames']).toContain(
      'us-central1 (Iowa)',
    );
  });

  it('keeps a region the machine type is not offered in, saying so', () => {
    const { schema, uiSchema } = narrowIdentity(
      identitySchema,
      {},
      { region: 'us-west4', zones: ['us-west4-a'] },
      ['a3-ultragpu-8g'],
    );
    expect((schema.properties as any).region.enum[0]).toBe('us-west4');
    expect((uiSchema.region as any)['ui:enumNames'][0]).toBe(
      'us-west4 (Las Vegas) — a3-ultragpu-8g not offered here',
    );
  });

  it('moves zones to the new region, to one offering the machine types', () => {
    expect(
      zonesAfterRegionChange(
        'europe-west4',
        ['us-central1-b'],
        ['a2-ultragpu-8g'],
      ),
    ).toEqual(['europe-west4-a']);
    expect(
      zonesAfterRegionChange(
        'us-central1',
        ['us-central1-a', 'europe-west4-a'],
        ['a2-ultragpu-8g'],
      ),
    ).toEqual(['us-central1-a']);
    expect(zonesAfterRegionChange('us-west4', [], ['a3-ultragpu-8g'])).toEqual(
      [],
    );
  });

  it('moves zones a new machine type is not offered in, when the region has better ones', () => {
    expect(
      zonesAfterMachineChange(
        'us-central1',
        ['us-central1-b'],
        ['a2-ultragpu-8g'],
      ),
    ).toEqual(['us-central1-a']);
    expect(
      zonesAfterMachineChange(
        'us-central1',
        ['us-central1-b', 'us-central1-c'],
        ['a2-ultragpu-8g'],
      ),
    ).toEqual(['us-central1-c']);
    expect(
      zonesAfterMachineChange(
        'us-central1',
        ['us-central1-b'],
        ['g2-standard-8'],
      ),
    ).toBeUndefined();
    expect(
      zonesAfterMachineChange('us-west4', ['us-west4-a'], ['a3-ultragpu-8g']),
    ).toBeUndefined();
  });

  it('limits GPU model and count to the machine type', () => {
    const poolSchema = {
      type: 'object' as const,
      properties: {
        gpu: {
          type: 'object' as const,
          properties: {
            type: {
              type: 'string' as const,
              enum: ['nvidia-l4', 'nvidia-tesla-t4'],
            },
            count: { type: 'integer' as const },
          },
        },
      },
    };
    const { schema, uiSchema } = narrowNodePool(
      poolSchema,
      {},
      'n1-standard-8',
    );
    const gpu = (schema.properties as any).gpu.properties;
    expect(gpu.type.enum).toEqual(['nvidia-tesla-t4']);
    expect(gpu.count.enum).toEqual([1, 2, 4]);
    expect((uiSchema.gpu as any).type['ui:enumNames']).toEqual(['NVIDIA T4']);
    expect(narrowNodePool(poolSchema, {}, 'unknown').schema).toBe(poolSchema);
  });

  it('reads the machine types of the pools, the spec default for a pool without one', () => {
    expect(machineTypesOf(undefined)).toEqual(['a3-ultragpu-8g']);
    expect(machineTypesOf([{ machineType: 'g2-standard-8' }, {}])).toEqual([
      'g2-standard-8',
      'a3-ultragpu-8g',
    ]);
  });
});

describe('node pool edits', () => {
  it('drop fields of other provisioning modes', () => {
    expect(
      withoutHiddenFields(
        {
          provisioning: {
            mode: 'spot',
            reservation: { name: 'r' },
            maxRunDurationSeconds: 600,
            computeClass: { tiers: ['spot'] },
          },
        },
        'nodePools[]',
      ),
    ).toEqual({ provisioning: { mode: 'spot' } });
    expect(
      withoutHiddenFields(
        { provisioning: { mode: 'flex-start', maxRunDurationSeconds: 600 } },
        'nodePools[]',
      ),
    ).toEqual({
      provisioning: { mode: 'flex-start', maxRunDurationSeconds: 600 },
    });
  });

  it('reset GPU model and count the new machine type does not carry', () => {
    expect(
      normalizePool(
        {
          machineType: 'g2-standard-8',
          gpu: { type: 'nvidia-tesla-t4', count: 4 },
        },
        {
          machineType: 'n1-standard-8',
          gpu: { type: 'nvidia-tesla-t4', count: 4 },
        },
      ),
    ).toEqual({ machineType: 'g2-standard-8', gpu: {} });
  });
});

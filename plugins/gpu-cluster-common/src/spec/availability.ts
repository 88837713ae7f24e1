/**
 * Where each machine type of the accelerator catalog is offered, so the form offers only regions
 * and zones that exist for the chosen GPUs.
 *
 * Source: Google's "GPU regions and zones availability" page
 * (https://cloud.google.com/compute/docs/gpus/gpu-regions-zones), cross-checked against the
 * Compute Engine machine-type listing per zone. This is a snapshot: Google adds zones, so a zone
 * missing here may exist. The form offers only these; the stack spec itself accepts any zone of
 * the region (a newer zone can still be written in a values file).
 */
import { ACCELERATOR_CATALOG, findAccelerator } from './catalog';

const zones = (text: string): readonly string[] =>
  text.split(/\s+/).filter(Boolean);

// A3 Ultra (H200, 8 RDMA NICs).
const A3_ULTRA = zones(`
  asia-south1-b asia-south2-c europe-west1-b europe-west4-a us-central1-b us-east4-b us-east5-a
  us-south1-b us-west1-c`);
// A4 (B200, 8 RDMA NICs).
const A4 = zones(`
  asia-northeast1-b asia-southeast1-b europe-north1-b europe-west4-b us-central1-b us-east1-b
  us-east4-b us-south1-b us-west2-c us-west3-b us-west3-c`);
// A3 Mega (H100 Mega, GPUDirect-TCPXO).
const A3_MEGA = zones(`
  asia-east1-c asia-northeast1-b asia-southeast1-b asia-southeast1-c australia-southeast1-c
  europe-north1-c europe-west1-b europe-west1-c europe-west3-c europe-west4-b europe-west4-c
  us-central1-a us-central1-b us-central1-c us-east4-a us-east4-b us-east4-c us-east5-a
  us-west1-a us-west1-b us-west4-a`);
// A3 High with 8 GPUs.
const A3_HIGH_8G = zones(`
  asia-east1-c asia-northeast1-b asia-south1-c asia-south2-b asia-southeast1-b asia-southeast1-c
  australia-southeast1-c europe-north1-c europe-west1-b europe-west1-c europe-west3-c
  europe-west4-b europe-west4-c europe-west9-c us-central1-a us-central1-b us-central1-c
  us-east4-a us-east4-b us-east4-c us-east5-a us-west1-a us-west1-b us-west4-a`);
// A3 High with 1, 2 or 4 GPUs: the 8-GPU zones plus Milan.
const A3_HIGH_SMALL = [...A3_HIGH_8G, 'europe-west8-c'];
// A2 Ultra (A100 80GB).
const A2_ULTRA = zones(`
  asia-southeast1-c europe-west4-a us-central1-a us-central1-c us-east4-c us-east5-a us-east5-b`);
// A2 Standard (A100 40GB), 1 to 8 GPUs.
const A2_HIGH = zones(`
  asia-northeast1-a asia-northeast1-c asia-northeast3-a asia-northeast3-b asia-southeast1-b
  asia-southeast1-c europe-west4-a europe-west4-b me-west1-a me-west1-c us-central1-a
  us-central1-b us-central1-c us-central1-f us-east1-b us-west1-b us-west3-b us-west4-b`);
// a2-megagpu-16g.
const A2_MEGA = zones(`
  asia-southeast1-c europe-west4-a europe-west4-b us-central1-a us-central1-b us-central1-c
  us-central1-f`);
// G2 (L4).
const G2 = zones(`
  asia-east1-a asia-east1-b asia-east1-c asia-northeast1-a asia-northeast1-b asia-northeast1-c
  asia-northeast3-a asia-northeast3-b asia-south1-a asia-south1-b asia-south1-c
  asia-southeast1-a asia-southeast1-b asia-southeast1-c europe-west1-b europe-west1-c
  europe-west2-a europe-west2-b europe-west3-a europe-west3-b europe-west4-a europe-west4-b
  europe-west4-c europe-west6-b europe-west6-c me-central2-a me-central2-c
  northamerica-northeast1-b northamerica-northeast2-a northamerica-northeast2-b us-central1-a
  us-central1-b us-central1-c us-east1-b us-east1-c us-east1-d us-east4-a us-east4-c us-west1-a
  us-west1-b us-west1-c us-west4-a us-west4-c`);
// N1 with attached T4s (a subset of the T4 zones: the long-standing ones).
const N1_T4 = zones(`
  asia-east1-a asia-east1-c asia-northeast1-a asia-northeast1-c asia-south1-a asia-south1-b
  asia-southeast1-a asia-southeast1-b asia-southeast1-c europe-west1-b europe-west1-c
  europe-west1-d europe-west2-a europe-west2-b europe-west4-a europe-west4-b europe-west4-c
  us-central1-a us-central1-b us-central1-c us-central1-f us-east1-c us-east1-d us-east4-a
  us-east4-b us-east4-c us-west1-a us-west1-b us-west2-b us-west2-c us-west4-a us-west4-b`);

function zonesFor(machineType: string): readonly string[] {
  if (machineType === 'a3-ultragpu-8g') return A3_ULTRA;
  if (machineType === 'a4-highgpu-8g') return A4;
  if (machineType === 'a3-megagpu-8g') return A3_MEGA;
  if (machineType === 'a3-highgpu-8g') return A3_HIGH_8G;
  if (machineType.startsWith('a3-highgpu-')) return A3_HIGH_SMALL;
  if (machineType.startsWith('a2-ultragpu-')) return A2_ULTRA;
  if (machineType === 'a2-megagpu-16g') return A2_MEGA;
  if (machineType.startsWith('a2-highgpu-')) return A2_HIGH;
  if (machineType.startsWith('g2-standard-')) return G2;
  if (machineType.startsWith('n1-standard-')) return N1_T4;
  return [];
}

/** Zones offering each catalog machine type, sorted. @public */
export const MACHINE_TYPE_ZONES: Readonly<Record<string, readonly string[]>> =
  Object.fromEntries(
    ACCELERATOR_CATALOG.map(e => [
      e.machineType,
      [...zonesFor(e.machineType)].sort(),
    ]),
  );

/** The region of a zone (`us-central1-b` → `us-central1`). @public */
export function regionOfZone(zone: string): string {
  return zone.replace(/-[a-z]$/, '');
}

/** Where each region is, for labels such as "us-central1 (Iowa)". @public */
export const REGION_LOCATIONS: Readonly<Record<string, string>> = {
  'asia-east1': 'Taiwan',
  'asia-northeast1': 'Tokyo',
  'asia-northeast3': 'Seoul',
  'asia-south1': 'Mumbai',
  'asia-south2': 'Delhi',
  'asia-southeast1': 'Singapore',
  'australia-southeast1': 'Sydney',
  'europe-north1': 'Finland',
  'europe-west1': 'Belgium',
  'europe-west2': 'London',
  'europe-west3': 'Frankfurt',
  'europe-west4': 'Netherlands',
  'europe-west6': 'Zurich',
  'europe-west8': 'Milan',
  'europe-west9': 'Paris',
  'me-central2': 'Dammam',
  'me-west1': 'Tel Aviv',
  'northamerica-northeast1': 'Montréal',
  'northamerica-northeast2': 'Toronto',
  'us-central1': 'Iowa',
  'us-east1': 'South Carolina',
  'us-east4': 'Northern Virginia',
  'us-east5': 'Columbus',
  'us-south1': 'Dallas',
  'us-west1': 'Oregon',
  'us-west2': 'Los Angeles',
  'us-west3': 'Salt Lake City',
  'us-west4': 'Las Vegas',
};

/** Zones (sorted) where the catalog knows the machine type is offered; empty when unknown. @public */
export function zonesOffering(machineType: string): readonly string[] {
  return MACHINE_TYPE_ZONES[machineType] ?? [];
}

/**
 * Zones offering every one of the machine types (a stack's pools share its zones), optionally
 * within one region.
 * @public
 */
export function zonesOfferingAll(
  machineTypes: readonly string[],
  region?: string,
): string[] {
  const known = machineTypes.filter(m => findAccelerator(m));
  if (known.length === 0) return [];
  const [first, ...rest] = known;
  return zonesOffering(first).filter(
    zone =>
      (region === undefined || regionOfZone(zone) === region) &&
      rest.every(m => zonesOffering(m).includes(zone)),
  );
}

/** Regions (sorted) with at least one zone offering every one of the machine types. @public */
export function regionsOfferingAll(machineTypes: readonly string[]): string[] {
  return [...new Set(zonesOfferingAll(machineTypes).map(regionOfZone))].sort();
}

/**
 * Zones of the stack where a node pool's machine type is not offered, as far as this catalog
 * knows. The form reports them on the zone (it offers only catalog zones); the spec itself does
 * not refuse them, since Google adds zones faster than this snapshot.
 * @public
 */
export function zoneAvailabilityIssues(spec: {
  identity: { zones: readonly string[] };
  nodePools: ReadonlyArray<{ machineType: string }>;
}): Array<{ path: Array<string | number>; message: string }> {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  spec.identity.zones.forEach((zone, i) => {
    const missing = [
      ...new Set(
        spec.nodePools
          .map(pool => pool.machineType)
          .filter(m => findAccelerator(m) && !zonesOffering(m).includes(zone)),
      ),
    ];
    if (missing.length === 0) return;
    const region = regionOfZone(zone);
    const elsewhere = zonesOfferingAll(missing, region);
    issues.push({
      path: ['identity', 'zones', i],
      message: `${missing.join(', ')} ${
        missing.length > 1 ? 'are' : 'is'
      } not offered in ${zone} as far as the accelerator catalog knows${
        elsewhere.length
          ? ` (offered in ${elsewhere.join(', ')})`
          : ` (not in ${region} at all)`
      }`,
    });
  });
  return issues;
}

/**
 * Resource quantities as the scheduler and Kueue count them (k8s.io/apimachinery
 * pkg/api/resource): CPU in millicores (`MilliValue()`), every other resource in whole units
 * rounded up (`Value()`). Kueue's `resources.ResourceValue` uses the same split.
 */

const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class QuantityError extends Error {}

/** The value of a quantity in base units (cores for CPU, bytes for memory). */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = QUANTITY.exec(value.trim());
  if (!match) {
    throw new QuantityError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  }
  const [, number, suffix = ''] = match;
  const n = Number(number);
  if (suffix in BINARY) return n * BINARY[suffix];
  if (/^[eE]/.test(suffix)) return n * 10 ** Number(suffix.slice(1));
  return n * DECIMAL[suffix];
}

/** Kueue's and the scheduler's integer amount of a resource: millicores for `cpu`, units otherwise. */
export function resourceAmount(resource: string, value: string | number) {
  const base = parseQuantity(value);
  // Quantity.MilliValue / Value round up (ScaledValue ceil); the small epsilon absorbs
  // binary floating-point noise such as 0.1 * 1000.
  return resource === 'cpu'
    ? Math.ceil(base * 1000 - 1e-6)
    : Math.ceil(base - 1e-6);
}

/**
 * The canonical string of an amount, as `resource.NewMilliQuantity(v, DecimalSI)` (CPU) or
 * `resource.NewQuantity(v, BinarySI)` (memory, storage) would print it: `500m`, `4`, `16Gi`;
 * BinarySI falls back to DecimalSI when the value is not a whole binary multiple.
 */
export function formatAmount(resource: string, amount: number): string {
  if (resource === 'cpu') return formatDecimal(amount, -3);
  if (amount >= 1024 || amount <= -1024) {
    const suffixes = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    let value = amount;
    let chosen = '';
    for (const suffix of suffixes) {
      if (value % 1024 !== 0) break;
      value /= 1024;
      chosen = suffix;
    }
    if (chosen) return `${value}${chosen}`;
  }
  return formatDecimal(amount, 0);
}

function formatDecimal(amount: number, exponent: number): string {
  if (amount === 0) return '0';
  let value = amount;
  let exp = exponent;
  while (value % 1000 === 0 && exp < 18) {
    value /= 1000;
    exp += 3;
  }
  const suffix: Record<number, string> = {
    [-9]: 'n',
    [-6]: 'u',
    [-3]: 'm',
    0: '',
    3: 'k',
    6: 'M',
    9: 'G',
    12: 'T',
    15: 'P',
    18: 'E',
  };
  return `${value}${suffix[exp]}`;
}

export type ResourceAmounts = Record<string, number>;

export function addAmounts(
  into: ResourceAmounts,
  from: ResourceAmounts,
  times = 1,
): ResourceAmounts {
  for (const [name, v] of Object.entries(from)) {
    into[name] = (into[name] ?? 0) + v * times;
  }
  return into;
}

export function toAmounts(list: Record<string, string | number> = {}) {
  const out: ResourceAmounts = {};
  for (const [name, v] of Object.entries(list)) {
    out[name] = resourceAmount(name, v);
  }
  return out;
}

export function formatAmounts(amounts: ResourceAmounts) {
  return Object.fromEntries(
    Object.entries(amounts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, v]) => [name, formatAmount(name, v)]),
  );
}

'use strict';

/*
 * Terraform values on the wire (cty's msgpack encoding) and schema-driven walks over them.
 *
 * Values are plain JS data: objects for cty objects and maps, arrays for lists, sets and tuples,
 * null for null, and the UNKNOWN sentinel for unknown values. Block schemas are the JSON shape of
 * `terraform providers schema -json` (attributes / block_types / nesting_mode).
 */

const { Encoder, Decoder, ExtensionCodec } = require('@msgpack/msgpack');

/** The one unknown value; refinements Terraform sends (ext 12) are dropped on purpose. */
const UNKNOWN = Object.freeze({ unknown: true });

const extensionCodec = new ExtensionCodec();
// cty encodes an unknown as msgpack extension 0 with a one-byte payload.
extensionCodec.register({
  type: 0,
  encode: value => (value === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
// Extension 12 is a refined unknown (e.g. "not null", string prefix).
extensionCodec.register({
  type: 12,
  encode: () => null,
  decode: () => UNKNOWN,
});

const encoder = new Encoder({ extensionCodec, ignoreUndefined: true });
const decoder = new Decoder({ extensionCodec });

function isUnknown(value) {
  return value === UNKNOWN;
}

/** Decodes a tfplugin6 DynamicValue (msgpack preferred, JSON as the fallback Terraform may send). */
function decodeDynamic(dynamicValue) {
  if (!dynamicValue) return null;
  if (dynamicValue.msgpack && dynamicValue.msgpack.length > 0) {
    return decoder.decode(dynamicValue.msgpack);
  }
  if (dynamicValue.json && dynamicValue.json.length > 0) {
    return JSON.parse(Buffer.from(dynamicValue.json).toString('utf8'));
  }
  return null;
}

function encodeDynamic(value) {
  return { msgpack: Buffer.from(encoder.encode(value)) };
}

function emptyBlockValue(nestingMode) {
  switch (nestingMode) {
    case 'list':
    case 'set':
      return [];
    case 'map':
      return {};
    default:
      return null;
  }
}

/**
 * Gives a value exactly the attributes and nested blocks of its schema: missing ones become null
 * (or an empty collection for list/set/map blocks), unknown keys are dropped. Used for state read
 * back from JSON and for data-source results, which Terraform decodes strictly by schema.
 */
function conformBlock(block, value) {
  if (value === null || value === undefined) return null;
  if (isUnknown(value)) return value;
  const result = {};
  for (const [name, attribute] of Object.entries(block.attributes || {})) {
    const raw = value[name];
    result[name] = raw === undefined ? null : conformType(attribute.type, raw);
  }
  for (const [name, nested] of Object.entries(block.block_types || {})) {
    result[name] = conformNested(nested, value[name]);
  }
  return result;
}

function conformNested(nested, value) {
  if (value === undefined || value === null)
    return emptyBlockValue(nested.nesting_mode);
  if (isUnknown(value)) return value;
  switch (nested.nesting_mode) {
    case 'list':
    case 'set':
      return value.map(item => conformBlock(nested.block, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          conformBlock(nested.block, item),
        ]),
      );
    default:
      return conformBlock(nested.block, value);
  }
}

function conformType(type, value) {
  if (value === null || value === undefined) return null;
  if (isUnknown(value)) return value;
  if (!Array.isArray(type)) {
    if (type === 'number' && typeof value === 'string') return Number(value);
    return value;
  }
  const [kind, element] = type;
  switch (kind) {
    case 'list':
    case 'set':
      return value.map(item => conformType(element, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          conformType(element, item),
        ]),
      );
    case 'object': {
      const result = {};
      for (const [name, attributeType] of Object.entries(element)) {
        result[name] = conformType(attributeType, value[name]);
      }
      return result;
    }
    case 'tuple':
      return element.map((itemType, index) =>
        conformType(itemType, value[index]),
      );
    default:
      return value;
  }
}

/** True when a value (or anything inside it) is unknown. */
function containsUnknown(value) {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/** Structural equality where an unknown equals nothing, not even another unknown. */
function valuesEqual(a, b) {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (a === b) return true;
  if (
    a === null ||
    b === null ||
    typeof a !== 'object' ||
    typeof b !== 'object'
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return Buffer.from(a).equals(Buffer.from(b));
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(key => valuesEqual(a[key], b[key]));
}

/**
 * Visits every attribute of a block value, recursing into nested blocks.
 * visit(attributeSchema, value, path) returns the replacement value.
 */
function mapAttributes(block, value, visit, path = []) {
  if (value === null || value === undefined || isUnknown(value)) return value;
  const result = { ...value };
  for (const [name, attribute] of Object.entries(block.attributes || {})) {
    result[name] = visit(attribute, value[name], [...path, name], name);
  }
  for (const [name, nested] of Object.entries(block.block_types || {})) {
    const inner = value[name];
    if (inner === null || inner === undefined || isUnknown(inner)) continue;
    const recurse = (item, step) =>
      mapAttributes(nested.block, item, visit, [
        ...path,
        name,
        ...(step === undefined ? [] : [step]),
      ]);
    if (nested.nesting_mode === 'list' || nested.nesting_mode === 'set') {
      result[name] = inner.map((item, index) => recurse(item, index));
    } else if (nested.nesting_mode === 'map') {
      result[name] = Object.fromEntries(
        Object.entries(inner).map(([key, item]) => [key, recurse(item, key)]),
      );
    } else {
      result[name] = recurse(inner, undefined);
    }
  }
  return result;
}

module.exports = {
  UNKNOWN,
  isUnknown,
  decodeDynamic,
  encodeDynamic,
  conformBlock,
  conformType,
  containsUnknown,
  valuesEqual,
  mapAttributes,
};
